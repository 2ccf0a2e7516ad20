import { EntityManager } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import type { DeadLetterRepository, DeadLetterView, NewDeadLetter } from '@cec/billing-application';
import { execute, placeholders, rows } from './sql';

interface DeadLetterRow {
  id: string;
  subject: string;
  message_key: string;
  message_id: string | null;
  code: string;
  message: string;
  payload: unknown;
  received_ms: number;
}

/** Dead letters of billing's consumers (#9.8), one per message (stream and sequence). */
export class SqlDeadLetterRepository implements DeadLetterRepository {
  constructor(private readonly em: EntityManager) {}

  async record(letters: readonly NewDeadLetter[], receivedAt: DateTime): Promise<void> {
    if (letters.length === 0) return;
    await execute(
      this.em.getKnex(),
      `insert into "dead_letter" ("subject", "message_key", "message_id", "code", "message", "payload", "received_at")
       values ${placeholders(letters.length, 7, ['', '', '', '', '', '::jsonb', ''])}
       on conflict ("message_key") do nothing`,
      letters.flatMap((letter) => [
        letter.subject.slice(0, 128),
        withoutNul(letter.messageKey.slice(0, 255)),
        letter.messageId ? withoutNul(letter.messageId.slice(0, 255)) : null,
        letter.code.slice(0, 64),
        withoutNul(letter.message),
        // jsonb refuses \u0000: a NUL the message carried is kept as U+FFFD (the rest as sent)
        JSON.stringify(letter.payload ?? null).replace(/(?<!\\)\\u0000/g, '\\ufffd'),
        receivedAt.toJSDate(),
      ]),
    );
  }

  async list(limit: number): Promise<DeadLetterView[]> {
    // raw SQL: jsonb comes back as sent (a payload that is a JSON string stays a string)
    const list = await rows<DeadLetterRow>(
      this.em.getKnex(),
      `select "id"::text as "id", "subject", "message_key", "message_id", "code", "message", "payload",
              (extract(epoch from "received_at") * 1000)::float8 as "received_ms"
         from "dead_letter" order by "id" desc limit ?`,
      [limit],
    );
    return list.map((row) => ({
      id: row.id,
      subject: row.subject,
      messageKey: row.message_key,
      messageId: row.message_id,
      code: row.code,
      message: row.message,
      payload: row.payload,
      receivedAt: DateTime.fromMillis(Math.round(row.received_ms), { zone: 'utc' }),
    }));
  }
}

/** PostgreSQL text cannot hold NUL: a dead letter keeps its reason with U+FFFD in its place. */
function withoutNul(text: string): string {
  return text.split('\u0000').join('\ufffd');
}
