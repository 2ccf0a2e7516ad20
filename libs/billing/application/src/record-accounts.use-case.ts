import { DateTime } from 'luxon';
import { billingCalendar, DomainError, isCurrency, isValidClientId } from '@cec/kernel';
import type { BillingDeps, NewAccount } from './billing.ports';

export interface RecordAccountsResult {
  recorded: number;
  rejected: Array<{ index: number; reason: string }>;
}

/** `subscription.account.created` → the billing app's account mirror (idempotent insert). */
export class RecordAccountsUseCase {
  constructor(private readonly deps: BillingDeps) {}

  async execute(events: readonly unknown[]): Promise<RecordAccountsResult> {
    const accounts: NewAccount[] = [];
    const rejected: RecordAccountsResult['rejected'] = [];
    events.forEach((event, index) => {
      try {
        accounts.push(parseAccountCreated(event, this.deps.clock.now()));
      } catch (error) {
        rejected.push({ index, reason: error instanceof Error ? error.message : String(error) });
      }
    });
    const recorded = accounts.length > 0 ? await this.deps.accounts.recordAccounts(accounts) : 0;
    return { recorded, rejected };
  }
}

function parseAccountCreated(event: unknown, now: DateTime): NewAccount {
  if (event === null || typeof event !== 'object') throw DomainError.validation('event must be an object');
  const value = event as Record<string, unknown>;
  if (!isValidClientId(value['accountId'])) throw DomainError.validation('accountId must be an id of 1-128 letters, digits, ".", "_", ":" or "-"');
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
