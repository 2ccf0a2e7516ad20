import { EntityManager } from '@mikro-orm/postgresql';
import type { DateTime } from 'luxon';
import { Currency, Money, newId, Period } from '@cec/kernel';
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

/** Issue 10: the prepaid guard's tables (migration 0006). */
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

  async dirty(limit: number): Promise<DirtyMark[]> {
    const list = await rows<{ account_id: string; mark: string; currency: string }>(
      this.em.getKnex(),
      'select d."account_id", d."mark"::text as "mark", a."currency" from "guard_dirty" d join "account" a on a."id" = d."account_id" order by d."account_id" limit ?',
      [limit],
    );
    return list.map((row) => ({ accountId: row.account_id, mark: row.mark, currency: row.currency as Currency }));
  }

  async clear(marks: readonly DirtyMark[]): Promise<void> {
    if (marks.length === 0) return;
    await execute(
      this.em.getKnex(),
      `delete from "guard_dirty" d using unnest(?::text[], ?::bigint[]) as m("account_id", "mark")
        where d."account_id" = m."account_id" and d."mark" = m."mark"`,
      [textArray(marks.map((mark) => mark.accountId)), `{${marks.map((mark) => mark.mark).join(',')}}`],
    );
  }

  async store(update: GuardUpdate): Promise<GuardEventKind[]> {
    const accountId = update.mark.accountId;
    return inTransaction(this.em, async (trx) => {
      await execute(trx, 'insert into "account_guard" ("account_id") values (?) on conflict ("account_id") do nothing', [accountId]);
      const [row] = await rows<GuardRow>(
        trx,
        `select a."id", a."currency", a."balance"::text, g."period", g."low_balance"::text, g."guard_state"
           from "account_guard" g join "account" a on a."id" = g."account_id" where g."account_id" = ? for update of g`,
        [accountId],
      );
      const currency = row.currency as Currency;
      const balance = Money.ofCents(row.balance, currency);
      const accrued = Money.ofCents(update.accrued.amount, currency);
      const threshold = row.low_balance === null ? null : Money.ofCents(row.low_balance, currency);
      const previous = row.guard_state ?? 'ok';
      const evaluation = evaluateGuard({ balance, accrued, threshold, previous });
      // the state moves only from the state read (locked): one crossing, one event
      const changed = await execute(
        trx,
        `update "account_guard" set "period" = ?, "accrued_this_period" = ?, "rated_through" = ?::date, "computed_at" = ?, "guard_state" = ?
          where "account_id" = ? and "guard_state" = ?`,
        [update.period.toString(), accrued.toString(), update.ratedThrough, update.computedAt.toJSDate(), evaluation.state, accountId, previous],
      );
      const events = changed === 1 ? evaluation.events : [];
      if (events.length > 0) {
        const messages: OutboxRow[] = events.map((kind) => guardEvent(kind, {
          accountId,
          period: update.period,
          balance,
          accrued,
          projected: evaluation.projectedBalance,
          threshold,
          at: update.computedAt,
        }));
        await insertOutbox(trx, messages, update.computedAt.toJSDate());
      }
      await execute(trx, 'delete from "guard_dirty" where "account_id" = ? and "mark" = ?::bigint', [accountId, update.mark.mark]);
      return [...events];
    });
  }

  async find(accountId: string): Promise<GuardView | null> {
    const [row] = await rows<GuardRow>(
      this.em.getKnex(),
      `select a."id", a."currency", a."balance"::text, g."period", g."accrued_this_period"::text, g."rated_through"::text, g."computed_at",
              g."low_balance"::text, g."guard_state"
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
    };
  }

  async setThreshold(accountId: string, threshold: Money): Promise<boolean> {
    return inTransaction(this.em, async (trx) => {
      const [account] = await rows<{ id: string }>(trx, 'select "id" from "account" where "id" = ?', [accountId]);
      if (!account) return false;
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
  input: { accountId: string; period: Period; balance: Money; accrued: Money; projected: Money; threshold: Money | null; at: DateTime },
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
    projectedBalance: input.projected.toString(),
    threshold: input.threshold?.toString() ?? null,
  };
  return { eventId: id, subject: SUBJECT_OF[kind], payload };
}
