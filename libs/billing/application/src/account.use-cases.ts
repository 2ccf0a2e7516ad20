import { DateTime } from 'luxon';
import { billingCalendar, DomainError, isCurrency, isValidClientId, Money } from '@cec/kernel';
import type { AccountSnapshot, BillingDeps, LedgerEntryView, NewAccount, TopUpAnswer } from './billing.ports';

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

function accountNotFound(accountId: string): DomainError {
  return DomainError.notFound('ACCOUNT_NOT_FOUND', `account "${accountId}" is not known to billing`);
}

/** GET /v1/accounts/:id/balance (R7.4, R7.6). */
export class GetBalanceUseCase {
  constructor(private readonly deps: BillingDeps) {}

  async execute(accountId: string): Promise<AccountSnapshot> {
    const snapshot = await this.deps.accounts.snapshot(accountId);
    if (!snapshot) throw accountNotFound(accountId);
    return snapshot;
  }
}

/** GET /v1/accounts/:id/ledger (R7.6): entries oldest first. */
export class GetLedgerUseCase {
  constructor(private readonly deps: BillingDeps) {}

  async execute(accountId: string): Promise<LedgerEntryView[]> {
    const entries = await this.deps.accounts.ledger(accountId);
    if (!entries) throw accountNotFound(accountId);
    return entries;
  }
}

export interface TopUpCommand {
  amount: unknown;
  reference: unknown;
}

/**
 * POST /v1/accounts/:id/top-ups (R7.5): credits the balance, then settles outstanding bills oldest
 * first. The reference is unique per account (a database key): the same one again answers the
 * first answer; with another amount it is refused.
 */
export class TopUpUseCase {
  constructor(private readonly deps: BillingDeps) {}

  async execute(accountId: string, command: TopUpCommand): Promise<{ created: boolean; answer: TopUpAnswer }> {
    const amount = Money.parse(command.amount, 'amount');
    if (!amount.isPositive()) throw DomainError.validation('amount must be greater than 0.00');
    if (!isValidClientId(command.reference)) {
      throw DomainError.validation('reference must be 1-128 characters: letters, digits, ".", "_", ":" or "-"');
    }
    return this.deps.topUps.apply({ accountId, reference: command.reference, amount, at: this.deps.clock.now() });
  }
}

export { accountNotFound };
