import type { Subject } from '@cec/contracts';
import { Db, execute, placeholders } from './sql';

export interface OutboxRow {
  eventId: string;
  subject: Subject;
  payload: object;
}

/** Writes events to the outbox inside the caller's transaction (relayed by the platform's OutboxRelay). */
export async function insertOutbox(db: Db, messages: readonly OutboxRow[], createdAt: Date): Promise<void> {
  if (messages.length === 0) return;
  await execute(
    db,
    `insert into "outbox" ("event_id", "subject", "payload", "created_at") values ${placeholders(messages.length, 4, ['', '', '::jsonb', ''])}`,
    messages.flatMap((message) => [message.eventId, message.subject, JSON.stringify(message.payload), createdAt]),
  );
}
