import { EntityManager } from '@mikro-orm/postgresql';
import type { DateTime } from 'luxon';
import { billingCalendar, Currency, DomainError, Money, newId } from '@cec/kernel';
import { accountStatus, applyTopUp } from '@cec/billing-domain';
import type { AccountSettledEvent } from '@cec/contracts';
import { SUBJECTS } from '@cec/contracts';
import type {
  AccountRepository,
  AccountSnapshot,
  CatchUpMark,
  LedgerEntryType,
  LedgerEntryView,
  NewAccount,
  TopUpAnswer,
  TopUpRepository,
} from '@cec/billing-application';
import { insertOutbox } from './outbox-sql';
import { Db, execute, placeholders, rows, textArray, toDateTime, inTransaction } from './sql';

interface AccountRow {
  id: string;
  currency: string;
  balance: string;
  outstanding: string;
}

function snapshotOf(row: AccountRow): AccountSnapshot {
  const currency = row.currency as Currency;
  const outstanding = Money.ofCents(row.outstanding, currency);
  return { accountId: row.id, currency, balance: Money.ofCents(row.balance, currency), outstanding, status: accountStatus(outstanding) };
}

export interface LedgerInsert {
  accountId: string;
  type: LedgerEntryType;
  amount: Money;
  balanceAfter: Money;
  billId: string | null;
  reference: string | null;
}

export function ledgerValues(entries: readonly LedgerInsert[], createdAt: Date): unknown[] {
  return entries.flatMap((entry) => [
    newId('led'),
    entry.accountId,
    entry.type,
    entry.amount.toString(),
    entry.balanceAfter.toString(),
    entry.billId,
    entry.reference,
    createdAt,
  ]);
}

/** Appends ledger entries (R7.6) in the caller's transaction. */
export async function insertLedgerEntries(db: Db, entries: readonly LedgerInsert[], createdAt: Date): Promise<void> {
  if (entries.length === 0) return;
  await execute(
    db,
    `insert into "ledger_entry" ("id", "account_id", "type", "amount", "balance_after", "bill_id", "reference", "created_at") values ${placeholders(entries.length, 8)}`,
    ledgerValues(entries, createdAt),
  );
}

/** The account mirror, its balance and its ledger. */
export class SqlAccountRepository implements AccountRepository {
  constructor(private readonly em: EntityManager) {}

  async recordAccounts(accounts: readonly NewAccount[]): Promise<number> {
    if (accounts.length === 0) return 0;
    return execute(
      this.em.getKnex(),
      `insert into "account" ("id", "name", "currency", "created_at", "source_event_id") values ${placeholders(accounts.length, 5)} on conflict ("id") do nothing`,
      accounts.flatMap((account) => [account.id, account.name, account.currency, account.createdAt.toJSDate(), account.sourceEventId]),
    );
  }

  async snapshot(accountId: string): Promise<AccountSnapshot | null> {
    const [row] = await rows<AccountRow>(this.em.getKnex(), 'select "id", "currency", "balance"::text, "outstanding"::text from "account" where "id" = ?', [accountId]);
    return row ? snapshotOf(row) : null;
  }

  async ledger(accountId: string): Promise<LedgerEntryView[] | null> {
    const knex = this.em.getKnex();
    const [account] = await rows<AccountRow>(knex, 'select "id", "currency" from "account" where "id" = ?', [accountId]);
    if (!account) return null;
    const entries = await rows<{ id: string; type: LedgerEntryType; amount: string; balance_after: string; bill_id: string | null; reference: string | null; created_at: Date }>(
      knex,
      'select "id", "type", "amount"::text, "balance_after"::text, "bill_id", "reference", "created_at" from "ledger_entry" where "account_id" = ? order by "seq"',
      [accountId],
    );
    const currency = account.currency as Currency;
    return entries.map((entry) => ({
      id: entry.id,
      type: entry.type,
      amount: Money.ofCents(entry.amount, currency),
      balanceAfter: Money.ofCents(entry.balance_after, currency),
      billId: entry.bill_id,
      reference: entry.reference,
      createdAt: toDateTime(entry.created_at),
    }));
  }

  async earliestCreatedAt(): Promise<DateTime | null> {
    const [row] = await rows<{ earliest: Date | null }>(this.em.getKnex(), 'select min("created_at") as "earliest" from "account"');
    return row?.earliest ? toDateTime(row.earliest) : null;
  }

  async awaitingCatchUp(afterId: string | null, limit: number): Promise<CatchUpMark[]> {
    const list = await rows<{ id: string; catch_up_mark: number }>(
      this.em.getKnex(),
      'select "id", "catch_up_mark" from "account" where "catch_up" and "id" > ? order by "id" limit ?',
      [afterId ?? '', limit],
    );
    return list.map((row) => ({ accountId: row.id, mark: row.catch_up_mark }));
  }

  async markForCatchUp(accountIds: readonly string[]): Promise<void> {
    if (accountIds.length === 0) return;
    await execute(
      this.em.getKnex(),
      'update "account" set "catch_up" = true, "catch_up_mark" = "catch_up_mark" + 1 where "id" = any(?::text[])',
      [textArray(accountIds)],
    );
  }

  async clearCatchUp(marks: readonly CatchUpMark[]): Promise<void> {
    if (marks.length === 0) return;
    // only where no one marked the account again since it was read
    await execute(
      this.em.getKnex(),
      `update "account" a set "catch_up" = false
         from unnest(?::text[], ?::int[]) as m("id", "mark")
        where a."id" = m."id" and a."catch_up" and a."catch_up_mark" = m."mark" and a."id" = any(?::text[])`,
      // the keys again (#11): by primary key, not a scan of every account
      [textArray(marks.map((entry) => entry.accountId)), `{${marks.map((entry) => entry.mark).join(',')}}`, textArray(marks.map((entry) => entry.accountId))],
    );
  }
}

/** R7.5: top-ups, unique per (account, reference), settling outstanding bills oldest first. */
export class SqlTopUpRepository implements TopUpRepository {
  constructor(private readonly em: EntityManager) {}

  async apply(input: { accountId: string; reference: string; amount: Money; at: DateTime }): Promise<{ created: boolean; answer: TopUpAnswer }> {
    const createdAt = input.at.toJSDate();
    return inTransaction(this.em, async (trx) => {
      const [account] = await rows<AccountRow>(trx, 'select "id", "currency", "balance"::text, "outstanding"::text from "account" where "id" = ? for update', [
        input.accountId,
      ]);
      if (!account) throw DomainError.notFound('ACCOUNT_NOT_FOUND', `account "${input.accountId}" is not known to billing`);
      const currency = account.currency as Currency;
      const [existing] = await rows<{ amount: string; answer: TopUpAnswer }>(trx, 'select "amount"::text, "answer" from "top_up" where "account_id" = ? and "reference" = ?', [
        input.accountId,
        input.reference,
      ]);
      if (existing) {
        if (Money.ofCents(existing.amount, currency).equals(Money.ofCents(input.amount.amount, currency))) return { created: false, answer: existing.answer };
        throw new DomainError(
          'TOP_UP_REFERENCE_CONFLICT',
          `reference "${input.reference}" was already used for a top-up of ${existing.amount} ${currency} on this account; another amount needs another reference`,
        );
      }
      const balance = Money.ofCents(account.balance, currency);
      const outstandingBefore = Money.ofCents(account.outstanding, currency);
      const amount = Money.ofCents(input.amount.amount, currency);
      const bills = await outstandingBills(trx, input.accountId, currency);
      const result = applyTopUp(balance, amount, bills);
      let running = balance.plus(amount);
      const entries: LedgerInsert[] = [{ accountId: input.accountId, type: 'top_up', amount, balanceAfter: running, billId: null, reference: input.reference }];
      for (const settlement of result.settlements) {
        running = running.minus(settlement.amount);
        entries.push({ accountId: input.accountId, type: 'settlement', amount: settlement.amount.negated(), balanceAfter: running, billId: settlement.billId, reference: input.reference });
      }
      await applySettlements(trx, result.settlements);
      const settled = result.settlements.reduce((sum, settlement) => sum.plus(settlement.amount), Money.zero(currency));
      const outstandingAfter = outstandingBefore.minus(settled);
      await insertLedgerEntries(trx, entries, createdAt);
      await execute(trx, 'update "account" set "balance" = ?, "outstanding" = ? where "id" = ?', [result.balanceAfter.toString(), outstandingAfter.toString(), input.accountId]);
      const answer: TopUpAnswer = {
        accountId: input.accountId,
        reference: input.reference,
        amount: amount.toString(),
        currency,
        balance: result.balanceAfter.toString(),
        outstanding: outstandingAfter.toString(),
        status: accountStatus(outstandingAfter),
        settlements: result.settlements.map((settlement) => ({
          billId: settlement.billId,
          amount: settlement.amount.toString(),
          outstandingAfter: settlement.outstandingAfter.toString(),
          status: settlement.statusAfter,
        })),
        createdAt: billingCalendar.formatInstant(input.at),
      };
      await execute(trx, 'insert into "top_up" ("id", "account_id", "reference", "amount", "answer", "created_at") values (?, ?, ?, ?, ?::jsonb, ?)', [
        newId('topup'),
        input.accountId,
        input.reference,
        amount.toString(),
        JSON.stringify(answer),
        createdAt,
      ]);
      if (outstandingBefore.isPositive() && !outstandingAfter.isPositive()) {
        await insertOutbox(trx, [settledEvent(input.accountId, result.balanceAfter, input.at)], createdAt);
      }
      return { created: true, answer };
    });
  }
}

export function settledEvent(accountId: string, balance: Money, at: DateTime): { eventId: string; subject: typeof SUBJECTS.accountSettled; payload: AccountSettledEvent } {
  const id = newId('evt');
  return {
    eventId: id,
    subject: SUBJECTS.accountSettled,
    payload: { id, occurredAt: at.toUTC().toISO({ suppressMilliseconds: true }) as string, accountId, balance: balance.toString(), currency: balance.currency },
  };
}

/** The account's bills with something outstanding, locked, in issue order (oldest first). */
export async function outstandingBills(db: Db, accountId: string, currency: Currency): Promise<Array<{ billId: string; issuedAt: string; outstandingAmount: Money }>> {
  const list = await rows<{ id: string; issued_at: Date | string; seq: string; outstanding_amount: string }>(
    db,
    'select "id", "issued_at", "seq"::text, "outstanding_amount"::text from "bill" where "account_id" = ? and "outstanding_amount" > 0 order by "issued_at", "seq" for update',
    [accountId],
  );
  return list.map((bill) => ({
    billId: bill.id,
    // issue order: instant, then the bill sequence (fixed width, so string order is issue order)
    issuedAt: `${toDateTime(bill.issued_at).toMillis().toString().padStart(15, '0')}#${bill.seq.padStart(20, '0')}`,
    outstandingAmount: Money.ofCents(bill.outstanding_amount, currency),
  }));
}

export async function applySettlements(db: Db, settlements: ReadonlyArray<{ billId: string; amount: Money; outstandingAfter: Money; statusAfter: string }>): Promise<void> {
  for (const settlement of settlements) {
    await execute(db, 'update "bill" set "paid_amount" = "paid_amount" + ?, "outstanding_amount" = ?, "status" = ? where "id" = ?', [
      settlement.amount.toString(),
      settlement.outstandingAfter.toString(),
      settlement.statusAfter,
      settlement.billId,
    ]);
  }
}
