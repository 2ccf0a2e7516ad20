import type { Subject } from '@cec/contracts';
import { currentCorrelationId } from '@cec/platform';
import { Db, execute, placeholders } from './sql';

export interface OutboxRow {
  eventId: string;
  subject: Subject;
  payload: object;
  /** Default: the current correlation id (sent by the relay as `X-Correlation-Id`). */
  correlationId?: string | null;
}

/** Writes events to the outbox inside the caller's transaction (relayed by the platform's OutboxRelay). */
export async function insertOutbox(db: Db, messages: readonly OutboxRow[], createdAt: Date): Promise<void> {
  if (messages.length === 0) return;
  await execute(
    db,
    `insert into "outbox" ("event_id", "subject", "payload", "created_at", "correlation_id")
     values ${placeholders(messages.length, 5, ['', '', '::jsonb', '', ''])}`,
    messages.flatMap((message) => [message.eventId, message.subject, JSON.stringify(message.payload), createdAt, message.correlationId ?? currentCorrelationId() ?? null]),
  );
}
