import { EntityManager } from '@mikro-orm/postgresql';
import type { DateTime } from 'luxon';
import { billingCalendar, Currency, Money, newId, Period } from '@cec/kernel';
import { evaluateGuard, GuardEventKind, GuardState } from '@cec/billing-domain';
import { AccountBalanceGuardEvent, SUBJECTS } from '@cec/contracts';
import type { DirtyMark, GuardUpdate, GuardView, PrepaidGuardRepository } from '@cec/billing-application';
import { insertOutbox, OutboxRow } from './outbox-sql';
import { Db, execute, inTransaction, rows, textArray, toDateTime } from './sql';

interface GuardRow {
  id: string;
  currency: string;
  balance: string;
  period: string | null;
  accrued_this_period: string | null;
  rated_through: string | null;
  computed_at: Date | string | null;
  low_balance: string | null;
  guard_state: GuardState | null;
  accrued_unbilled?: string | null;
  unbilled_period?: string | null;
  period_unbilled?: boolean;
}

const SUBJECT_OF: Record<GuardEventKind, typeof SUBJECTS.accountBalanceLow | typeof SUBJECTS.accountBalanceExhausted> = {
  balance_low: SUBJECTS.accountBalanceLow,
  balance_exhausted: SUBJECTS.accountBalanceExhausted,
};

async function markAccounts(db: Db, accountIds: readonly string[]): Promise<void> {
  if (accountIds.length === 0) return;
  // in id order, so that concurrent markers lock shared rows in one order
  await execute(
    db,
    `insert into "guard_dirty" as d ("account_id", "mark")
       select "id", 1 from unnest(?::text[]) as i("id") group by "id" order by "id"
     on conflict ("account_id") do update set "mark" = d."mark" + 1`,
    [textArray(accountIds)],
  );
}

/**
 * A claimed mark after its account was stored (or found unratable): deleted when not marked again
 * since it was claimed; otherwise released to the back of the queue (`queued_at`), so that a busy
 * account is re-rated again without holding up the marks queued before it.
 */
async function settleMark(db: Db, mark: DirtyMark): Promise<void> {
  const deleted = await execute(db, 'delete from "guard_dirty" where "account_id" = ? and "mark" = ?::bigint and "claim" = ?', [mark.accountId, mark.mark, mark.claim]);
  if (deleted === 0) {
    await execute(
      db,
      'update "guard_dirty" set "claim" = null, "claimed_until" = null, "queued_at" = clock_timestamp() where "account_id" = ? and "claim" = ?',
      [mark.accountId, mark.claim],
    );
  }
}

/** Issue 10: the prepaid guard's tables (migrations 0007, 0009). */
export class SqlPrepaidGuardRepository implements PrepaidGuardRepository {
  constructor(private readonly em: EntityManager) {}

  async markDirty(accountIds: readonly string[]): Promise<void> {
    await markAccounts(this.em.getKnex(), accountIds);
  }

  markStale(today: string): Promise<number> {
    return execute(
      this.em.getKnex(),
      `insert into "guard_dirty" as d ("account_id", "mark")
         select "account_id", 1 from "account_guard" where "rated_through" < ?::date order by "account_id"
       on conflict ("account_id") do update set "mark" = d."mark" + 1`,
      [today],
    );
  }

  async claim(limit: number, leaseMs: number): Promise<DirtyMark[]> {
    const claim = newId('claim');
    // skip locked: a replica claiming at the same moment takes other rows; an expired claim (its
    // worker died) is taken again; oldest marks first, so every mark is reached
    const list = await rows<{ account_id: string; mark: string; currency: string }>(
      this.em.getKnex(),
      `with "c" as (
         select d."account_id", a."currency" from "guard_dirty" d join "account" a on a."id" = d."account_id"
          where d."claimed_until" is null or d."claimed_until" < clock_timestamp()
          order by d."queued_at", d."account_id" limit ? for update of d skip locked)
       update "guard_dirty" d set "claim" = ?, "claimed_until" = clock_timestamp() + ? * interval '1 millisecond'
         from "c" where d."account_id" = c."account_id"
       returning d."account_id", d."mark"::text as "mark", c."currency"`,
      [limit, claim, leaseMs],
    );
    return list
      .map((row) => ({ accountId: row.account_id, mark: row.mark, currency: row.currency as Currency, claim }))
      .sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
  }

  async clear(marks: readonly DirtyMark[]): Promise<void> {
    if (marks.length === 0) return;
    await inTransaction(this.em, async (trx) => {
      for (const mark of marks) await settleMark(trx, mark);
    });
  }

  async release(marks: readonly DirtyMark[]): Promise<void> {
    if (marks.length === 0) return;
    await execute(
      this.em.getKnex(),
      `update "guard_dirty" set "claim" = null, "claimed_until" = null where "account_id" = any(?::text[]) and "claim" = ?`,
      [textArray(marks.map((mark) => mark.accountId)), marks[0].claim],
    );
  }

  async unbilledIn(period: Period, accountIds: readonly string[]): Promise<Set<string>> {
    if (accountIds.length === 0) return new Set();
    const list = await rows<{ id: string }>(
      this.em.getKnex(),
      `select a."id" from "account" a
        where a."id" = any(?::text[]) and a."created_at" < ?
          and not exists (select 1 from "account_period" m where m."account_id" = a."id" and m."period" = ?)`,
      [textArray(accountIds), billingCalendar.endOfPeriod(period).toJSDate(), period.toString()],
    );
    return new Set(list.map((row) => row.id));
  }

  async store(update: GuardUpdate): Promise<GuardEventKind[]> {
    const accountId = update.mark.accountId;
    return inTransaction(this.em, async (trx) => {
      // only the worker that holds the claim stores (a claim taken over after its lease ran out
      // stores nothing). Read without a lock: the locks are taken in the order of the old code and
      // of setThreshold (the guard row, the outbox's account counter when an event is written, the
      // mark last), so that a bill's transaction (counter, then the mark by its balance trigger)
      // cannot wait on this one in a cycle more than before
      const [held] = await rows<{ account_id: string }>(
        trx,
        'select "account_id" from "guard_dirty" where "account_id" = ? and "claim" = ?',
        [accountId, update.mark.claim],
      );
      if (!held) return [];
      await execute(trx, 'insert into "account_guard" ("account_id") values (?) on conflict ("account_id") do nothing', [accountId]);
      const endedPeriod = update.ended?.period.toString() ?? null;
      // the balance and whether the ended month is billed come from one statement (one snapshot):
      // the bill's deduction and its marker commit together, so the ended month counts exactly
      // until the balance shows its deduction
      const [row] = await rows<GuardRow & { ended_unbilled: boolean }>(
        trx,
        `select a."id", a."currency", a."balance"::text, g."period", g."low_balance"::text, g."guard_state",
                (?::char(7) is not null and not exists (
                   select 1 from "account_period" m where m."account_id" = a."id" and m."period" = ?::char(7))) as "ended_unbilled"
           from "account_guard" g join "account" a on a."id" = g."account_id" where g."account_id" = ? for update of g`,
        [endedPeriod, endedPeriod, accountId],
      );
      const currency = row.currency as Currency;
      const balance = Money.ofCents(row.balance, currency);
      const accrued = Money.ofCents(update.accrued.amount, currency);
      const unbilled = row.ended_unbilled && update.ended ? Money.ofCents(update.ended.accrued.amount, currency) : Money.zero(currency);
      const threshold = row.low_balance === null ? null : Money.ofCents(row.low_balance, currency);
      const previous = row.guard_state ?? 'ok';
      const evaluation = evaluateGuard({ balance, accrued: accrued.plus(unbilled), threshold, previous });
      // the state moves only from the state read (locked): one crossing, one event
      const changed = await execute(
        trx,
        `update "account_guard" set "period" = ?, "accrued_this_period" = ?, "rated_through" = ?::date, "computed_at" = ?, "guard_state" = ?,
                "unbilled_period" = ?, "accrued_unbilled" = ?
          where "account_id" = ? and "guard_state" = ?`,
        [
          update.period.toString(),
          accrued.toString(),
          update.ratedThrough,
          update.computedAt.toJSDate(),
          evaluation.state,
          row.ended_unbilled ? endedPeriod : null,
          unbilled.toString(),
          accountId,
          previous,
        ],
      );
      const events = changed === 1 ? evaluation.events : [];
      if (events.length > 0) {
        const messages: OutboxRow[] = events.map((kind) => guardEvent(kind, {
          accountId,
          period: update.period,
          balance,
          accrued,
          unbilled,
          projected: evaluation.projectedBalance,
          threshold,
          at: update.computedAt,
        }));
        await insertOutbox(trx, messages, update.computedAt.toJSDate());
      }
      await settleMark(trx, update.mark);
      return [...events];
    });
  }

  async find(accountId: string): Promise<GuardView | null> {
    const [row] = await rows<GuardRow>(
      this.em.getKnex(),
      `select a."id", a."currency", a."balance"::text, g."period", g."accrued_this_period"::text, g."rated_through"::text, g."computed_at",
              g."low_balance"::text, g."guard_state", g."accrued_unbilled"::text,
              case when g."unbilled_period" is not null and not exists (
                     select 1 from "account_period" m where m."account_id" = a."id" and m."period" = g."unbilled_period")
                   then g."unbilled_period" end as "unbilled_period",
              case when g."period" is not null and not exists (
                     select 1 from "account_period" m where m."account_id" = a."id" and m."period" = g."period")
                   then true else false end as "period_unbilled"
         from "account" a left join "account_guard" g on g."account_id" = a."id" where a."id" = ?`,
      [accountId],
    );
    if (!row) return null;
    const currency = row.currency as Currency;
    return {
      accountId: row.id,
      currency,
      balance: Money.ofCents(row.balance, currency),
      period: row.period === null ? null : Period.parse(row.period.trim()),
      accrued: row.accrued_this_period === null ? Money.zero(currency) : Money.ofCents(row.accrued_this_period, currency),
      computedAt: row.computed_at === null ? null : toDateTime(row.computed_at),
      ratedThrough: row.rated_through,
      threshold: row.low_balance === null ? null : Money.ofCents(row.low_balance, currency),
      state: row.guard_state ?? 'ok',
      unbilled: row.unbilled_period === null || row.unbilled_period === undefined || row.accrued_unbilled === null || row.accrued_unbilled === undefined
        ? null
        : { period: Period.parse(row.unbilled_period.trim()), accrued: Money.ofCents(row.accrued_unbilled, currency) },
      periodUnbilled: row.period_unbilled === true,
    };
  }

  async setThreshold(accountId: string, threshold: Money): Promise<boolean> {
    return inTransaction(this.em, async (trx) => {
      const [account] = await rows<{ id: string }>(trx, 'select "id" from "account" where "id" = ?', [accountId]);
      if (!account) return false;
      // the guard row first, then the mark: the order in which the worker's store locks them
      await execute(
        trx,
        `insert into "account_guard" ("account_id", "low_balance") values (?, ?)
         on conflict ("account_id") do update set "low_balance" = excluded."low_balance"`,
        [accountId, threshold.toString()],
      );
      await markAccounts(trx, [accountId]);
      return true;
    });
  }
}

function guardEvent(
  kind: GuardEventKind,
  input: { accountId: string; period: Period; balance: Money; accrued: Money; unbilled: Money; projected: Money; threshold: Money | null; at: DateTime },
): OutboxRow {
  const id = newId('evt');
  const payload: AccountBalanceGuardEvent = {
    id,
    occurredAt: input.at.toUTC().toISO({ suppressMilliseconds: true }) as string,
    accountId: input.accountId,
    period: input.period.toString(),
    currency: input.balance.currency,
    balance: input.balance.toString(),
    accruedThisPeriod: input.accrued.toString(),
    accruedUnbilled: input.unbilled.toString(),
    projectedBalance: input.projected.toString(),
    threshold: input.threshold?.toString() ?? null,
  };
  return { eventId: id, subject: SUBJECT_OF[kind], payload };
}
