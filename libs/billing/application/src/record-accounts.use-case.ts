import { DateTime } from 'luxon';
import { billingCalendar, DomainError, isCurrency, isValidClientId } from '@cec/kernel';
import { SUBJECTS } from '@cec/contracts';
import type { BillingDeps, DeadLetterRepository, NewAccount, NewDeadLetter } from './billing.ports';

/** One `subscription.account.created` message as the consumer read it. */
export type AccountCreatedMessage = {
  /** Unique per message (stream and sequence): a redelivered message is dead-lettered once. */
  readonly key: string;
  readonly messageId: string | null;
} & ({ readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string; readonly text: string });

export interface RecordAccountsResult {
  recorded: number;
  /** Messages kept as dead letters (R6.3, #9.8): unreadable or malformed. */
  deadLettered: Array<{ key: string; code: string; reason: string }>;
}

/**
 * `subscription.account.created` → the billing app's account mirror (idempotent insert). A message
 * that is not JSON (`MALFORMED_MESSAGE`) or not a valid event (`VALIDATION_FAILED`) is kept as a
 * dead letter with its reason (#9.8), never dropped; both writes are idempotent, so a batch that
 * fails half-way is simply delivered again.
 */
export class RecordAccountsUseCase {
  constructor(
    private readonly deps: BillingDeps,
    private readonly deadLetters: DeadLetterRepository,
  ) {}

  /**
   * A message whose deliveries ran out before it could be recorded (the consumer's terminal
   * callback): kept as a dead letter with the last error, so that it never blocks the feed.
   */
  async deadLetterUnrecorded(message: { key: string; messageId: string | null; text: string }, reason: string): Promise<void> {
    const letter: NewDeadLetter = {
      subject: SUBJECTS.accountCreated,
      messageKey: message.key,
      messageId: message.messageId,
      code: 'NOT_RECORDED',
      message: `could not be recorded: ${reason}`,
      payload: message.text,
    };
    await this.deadLetters.record([letter], this.deps.clock.now());
  }

  async execute(messages: readonly AccountCreatedMessage[]): Promise<RecordAccountsResult> {
    const accounts: NewAccount[] = [];
    const letters: NewDeadLetter[] = [];
    const now = this.deps.clock.now();
    for (const message of messages) {
      const base = { subject: SUBJECTS.accountCreated, messageKey: message.key, messageId: message.messageId };
      if (!message.ok) {
        letters.push({ ...base, code: 'MALFORMED_MESSAGE', message: `not JSON: ${message.error}`, payload: message.text });
        continue;
      }
      try {
        accounts.push(parseAccountCreated(message.value, now));
      } catch (error) {
        const code = error instanceof DomainError ? error.code : 'VALIDATION_FAILED';
        letters.push({ ...base, code, message: error instanceof Error ? error.message : String(error), payload: message.value });
      }
    }
    const recorded = accounts.length > 0 ? await this.deps.accounts.recordAccounts(accounts) : 0;
    await this.deadLetters.record(letters, now);
    return { recorded, deadLettered: letters.map((letter) => ({ key: letter.messageKey, code: letter.code, reason: letter.message })) };
  }
}

function parseAccountCreated(event: unknown, now: DateTime): NewAccount {
  if (event === null || typeof event !== 'object') throw DomainError.validation('event must be an object');
  const value = event as Record<string, unknown>;
  if (!isValidClientId(value['accountId'])) throw DomainError.validation('accountId must be an id of 1-128 letters, digits, ".", "_", ":" or "-"');
  if (typeof value['name'] === 'string' && hasControlCharacter(value['name'])) throw DomainError.validation('name must not contain control characters');
  if (typeof value['id'] === 'string' && hasControlCharacter(value['id'])) throw DomainError.validation('id must not contain control characters');
  const name = typeof value['name'] === 'string' && value['name'].length > 0 ? value['name'].slice(0, 200) : value['accountId'];
  const currency = value['currency'] === undefined ? 'USD' : value['currency'];
  if (!isCurrency(currency)) throw DomainError.validation('currency must be "USD"');
  let createdAt = now;
  if (typeof value['occurredAt'] === 'string') {
    try {
      createdAt = billingCalendar.parseInstant(value['occurredAt'], 'occurredAt');
    } catch {
      createdAt = now;
    }
  }
  const eventId = typeof value['id'] === 'string' ? value['id'].slice(0, 128) : `account-created:${value['accountId']}`;
  return { id: value['accountId'], name, currency, createdAt, sourceEventId: eventId };
}

/** C0 control characters and DEL (NUL among them: PostgreSQL text cannot hold it). */
function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
