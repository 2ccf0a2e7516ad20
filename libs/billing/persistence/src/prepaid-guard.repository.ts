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
 * Claimed marks after their accounts were stored (or found unratable): deleted when not marked
 * again since they were claimed; otherwise released to the back of the queue (`queued_at`), so that
 * a busy account is re-rated again without holding up the marks queued before it. In account order.
 */
async function settleMarks(db: Db, marks: readonly DirtyMark[]): Promise<void> {
  if (marks.length === 0) return;
  const sorted = [...marks].sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
  const bindings = [
    textArray(sorted.map((mark) => mark.accountId)),
    textArray(sorted.map((mark) => mark.mark)),
    textArray(sorted.map((mark) => mark.claim)),
  ];
  await execute(
    db,
    `with "m" as (
       select i."account_id", i."mark"::bigint as "mark", i."claim" from unnest(?::text[], ?::text[], ?::text[]) as i("account_id", "mark", "claim")
     ), "locked" as (
       select d."account_id", d."mark" = m."mark" as "unchanged" from "guard_dirty" d join "m" on m."account_id" = d."account_id" and m."claim" = d."claim"
        order by d."account_id" for update of d
     ), "deleted" as (
       delete from "guard_dirty" d using "locked" l where d."account_id" = l."account_id" and l."unchanged"
     )
     update "guard_dirty" d set "claim" = null, "claimed_until" = null, "queued_at" = clock_timestamp()
       from "locked" l where d."account_id" = l."account_id" and not l."unchanged"`,
    bindings,
  );
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
      await settleMarks(trx, marks);
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

  async storeBatch(updates: readonly GuardUpdate[]): Promise<Map<string, GuardEventKind[]>> {
    const stored = new Map<string, GuardEventKind[]>();
    if (updates.length === 0) return stored;
    // in account order: the batch locks its guard rows, counters and marks in one order
    const byAccount = new Map(updates.map((update) => [update.mark.accountId, update]));
    const ids = [...byAccount.keys()].sort();
    return inTransaction(this.em, async (trx) => {
      // only the accounts whose mark this worker still holds are stored (a claim taken over after
      // its lease ran out stores nothing). The locks are taken in the order of setThreshold and of a
      // bill's transaction (the guard rows, then the outbox's account counters when events are
      // written, the marks last), so that no transaction waits on this one in a cycle
      const held = await rows<{ account_id: string; claim: string }>(
        trx,
        `select d."account_id", d."claim" from "guard_dirty" d join unnest(?::text[], ?::text[]) as i("account_id", "claim")
            on i."account_id" = d."account_id" and i."claim" = d."claim"`,
        [textArray(ids), textArray(ids.map((id) => (byAccount.get(id) as GuardUpdate).mark.claim))],
      );
      const heldIds = held.map((row) => row.account_id).sort();
      if (heldIds.length === 0) return stored;
      await execute(
        trx,
        'insert into "account_guard" ("account_id") select "id" from unnest(?::text[]) as i("id") order by "id" on conflict ("account_id") do nothing',
        [textArray(heldIds)],
      );
      // the balance and whether the ended month is billed come from one statement (one snapshot):
      // the bill's deduction and its marker commit together, so the ended month counts exactly
      // until the balance shows its deduction
      const endedOf = (id: string): string | null => byAccount.get(id)?.ended?.period.toString() ?? null;
      const read = await rows<GuardRow & { ended_unbilled: boolean }>(
        trx,
        `select a."id", a."currency", a."balance"::text, g."period", g."low_balance"::text, g."guard_state",
                (i."ended" is not null and not exists (
                   select 1 from "account_period" m where m."account_id" = a."id" and m."period" = i."ended"::char(7))) as "ended_unbilled"
           from unnest(?::text[], ?::text[]) as i("id", "ended")
           join "account_guard" g on g."account_id" = i."id"
           join "account" a on a."id" = g."account_id"
          order by g."account_id"
          for update of g`,
        [textArray(heldIds), `{${heldIds.map((id) => endedOf(id) ?? 'NULL').join(',')}}`],
      );
      const updatesOut: Array<{ id: string; row: GuardRow & { ended_unbilled: boolean }; update: GuardUpdate; accrued: Money; unbilled: Money; threshold: Money | null; previous: GuardState; evaluation: ReturnType<typeof evaluateGuard> }> = [];
      for (const row of read) {
        const update = byAccount.get(row.id) as GuardUpdate;
        const currency = row.currency as Currency;
        const balance = Money.ofCents(row.balance, currency);
        const accrued = Money.ofCents(update.accrued.amount, currency);
        const unbilled = row.ended_unbilled && update.ended ? Money.ofCents(update.ended.accrued.amount, currency) : Money.zero(currency);
        const threshold = row.low_balance === null ? null : Money.ofCents(row.low_balance, currency);
        const previous = row.guard_state ?? 'ok';
        const evaluation = evaluateGuard({ balance, accrued: accrued.plus(unbilled), threshold, previous });
        updatesOut.push({ id: row.id, row, update, accrued, unbilled, threshold, previous, evaluation });
      }
      // the state moves only from the state read (locked): one crossing, one event
      const changed = await rows<{ account_id: string }>(
        trx,
        `update "account_guard" g set "period" = u."period", "accrued_this_period" = u."accrued"::numeric, "rated_through" = u."rated_through"::date,
                "computed_at" = u."computed_at"::timestamptz, "guard_state" = u."state", "unbilled_period" = u."unbilled_period",
                "accrued_unbilled" = u."accrued_unbilled"::numeric
           from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
             as u("account_id", "period", "accrued", "rated_through", "computed_at", "state", "unbilled_period", "accrued_unbilled", "previous")
          where g."account_id" = u."account_id" and g."guard_state" = u."previous"
          returning g."account_id"`,
        [
          textArray(updatesOut.map((u) => u.id)),
          textArray(updatesOut.map((u) => u.update.period.toString())),
          textArray(updatesOut.map((u) => u.accrued.toString())),
          textArray(updatesOut.map((u) => u.update.ratedThrough)),
          textArray(updatesOut.map((u) => u.update.computedAt.toUTC().toISO() as string)),
          textArray(updatesOut.map((u) => u.evaluation.state)),
          `{${updatesOut.map((u) => (u.row.ended_unbilled && endedOf(u.id) !== null ? `"${endedOf(u.id) as string}"` : 'NULL')).join(',')}}`,
          textArray(updatesOut.map((u) => u.unbilled.toString())),
          textArray(updatesOut.map((u) => u.previous)),
        ],
      );
      const changedIds = new Set(changed.map((row) => row.account_id));
      const messages: OutboxRow[] = [];
      for (const u of updatesOut) {
        const events = changedIds.has(u.id) ? [...u.evaluation.events] : [];
        stored.set(u.id, events);
        for (const kind of events) {
          messages.push(
            guardEvent(kind, {
              accountId: u.id,
              period: u.update.period,
              balance: Money.ofCents(u.row.balance, u.row.currency as Currency),
              accrued: u.accrued,
              unbilled: u.unbilled,
              projected: u.evaluation.projectedBalance,
              threshold: u.threshold,
              at: u.update.computedAt,
            }),
          );
        }
      }
      // outbox rows in account order (their account counters are locked in that order)
      if (messages.length > 0) await insertOutbox(trx, messages, updatesOut[0].update.computedAt.toJSDate());
      await settleMarks(
        trx,
        heldIds.map((id) => (byAccount.get(id) as GuardUpdate).mark),
      );
      return stored;
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
