import { billingCalendar, DomainError, Money, Period } from '@cec/kernel';
import { accrueRunningMonth, DiscountBook, PriceBook, SubscriptionUsage } from '@cec/billing-domain';
import { fromUsageRuns } from '@cec/contracts';
import type { BillingDeps } from './billing.ports';
import { jobFailureOf } from './job-failures';
import type { DirtyMark, EndedMonthAccrual, GuardUpdate, PrepaidGuardRepository } from './prepaid-guard.ports';

export interface RefreshGuardResult {
  /** Accounts re-rated and stored. */
  refreshed: number;
  /** Guard events written (balance_low / balance_exhausted). */
  events: number;
  /** Accounts that cannot be rated (their mark is cleared; the next change tries again). */
  failed: Array<{ accountId: string; code: string; message: string }>;
  /**
   * Where the batch's time went, in milliseconds (durations for the worker's metrics, not business
   * time): `usage` (metering's answers), `rates` (prices, discounts, the unbilled month's check),
   * `rating` (the pure accrual), `store` (the batch's transaction).
   */
  stageMs: GuardStageTimes;
}

export interface GuardStageTimes {
  usage: number;
  rates: number;
  rating: number;
  store: number;
}

/**
 * Issue 10 (prepaid guard): re-rates the running month of marked accounts, a batch at a time, and
 * stores their accrued charge and guard state. Per batch: one metering request (the month's usage),
 * one catalog request (the prices of the products involved, from the 1st to today), the discounts
 * of the batch; then per account the pure accrual ({@link accrueRunningMonth}), and one transaction for the batch
 * ({@link PrepaidGuardRepository.storeBatch}).
 * The running month and today are the clock's (UTC+8). For the accounts whose month before has no
 * processed marker yet (from 00:00 on the 1st until the run deducts its bill), that month is rated
 * in full too and counts in the projected balance until the marker and the deduction commit (the
 * store decides that in the statement that reads the balance), so the turn of the month announces
 * no crossing twice. A retryable failure (an app away) is thrown with every mark kept and its claim
 * released (the worker tries again later); a batch refused permanently is halved down to the
 * account that causes it, whose mark is cleared.
 */
export class RefreshPrepaidGuardUseCase {
  constructor(
    private readonly deps: BillingDeps,
    private readonly guard: PrepaidGuardRepository,
  ) {}

  async execute(marks: readonly DirtyMark[]): Promise<RefreshGuardResult> {
    const result: RefreshGuardResult = { refreshed: 0, events: 0, failed: [], stageMs: { usage: 0, rates: 0, rating: 0, store: 0 } };
    if (marks.length === 0) return result;
    const now = this.deps.clock.now();
    const period = billingCalendar.periodOf(now);
    const today = billingCalendar.dateOf(now);
    try {
      await this.isolating(marks, period, today, result);
    } catch (error) {
      await this.guard.release(marks).catch(() => undefined); // claimed again after a backoff (or the lease)
      throw error;
    } finally {
      if (result.events > 0) this.deps.events.poke();
    }
    return result;
  }

  private async isolating(marks: readonly DirtyMark[], period: Period, today: string, result: RefreshGuardResult): Promise<void> {
    try {
      await this.refresh(marks, period, today, result);
    } catch (error) {
      const failure = jobFailureOf(error);
      if (failure.retryable) throw error;
      if (marks.length === 1) {
        result.failed.push({ accountId: marks[0].accountId, code: failure.code, message: failure.message });
        await this.guard.clear(marks);
        return;
      }
      const half = Math.ceil(marks.length / 2);
      await this.isolating(marks.slice(0, half), period, today, result);
      await this.isolating(marks.slice(half), period, today, result);
    }
  }

  private async refresh(marks: readonly DirtyMark[], period: Period, today: string, result: RefreshGuardResult): Promise<void> {
    const ids = marks.map((mark) => mark.accountId);
    const codes = new Set<string>();
    const stage = stopwatch(result.stageMs);
    const byAccount = await this.usageOf(period, ids, today, codes);
    stage('usage');
    // the month before, for the accounts it is not billed for yet (usually none: only between
    // 00:00 on the 1st and the run's deduction)
    const ended = period.previous();
    const unbilled = [...(await this.guard.unbilledIn(ended, ids))].sort();
    stage('rates');
    const endedUsage =
      unbilled.length > 0 ? await this.usageOf(ended, unbilled, lastDateOf(ended), codes) : new Map<string, SubscriptionUsage[]>();
    stage('usage');
    const from = endedUsage.size > 0 ? ended.firstDate() : period.firstDate();
    const prices =
      codes.size > 0 ? await this.deps.catalog.resolvePrices({ productCodes: [...codes].sort(), from, to: today }) : { prices: {} };
    const priceBook = PriceBook.fromVersions(prices.prices ?? {});
    const discounts = DiscountBook.of(await this.deps.discounts.listForAccounts(ids));
    stage('rates');
    const updates: GuardUpdate[] = [];
    const unratable: DirtyMark[] = [];
    const computedAt = this.deps.clock.now();
    for (const mark of marks) {
      const currency = mark.currency;
      try {
        const accrued = accrueRunningMonth({ accountId: mark.accountId, currency, period, today, subscriptions: byAccount.get(mark.accountId) ?? [], prices: priceBook, discounts });
        let endedAccrual: EndedMonthAccrual | null = null;
        const endedSubscriptions = endedUsage.get(mark.accountId);
        if (endedSubscriptions) {
          const endedAccrued = accrueRunningMonth({ accountId: mark.accountId, currency, period: ended, today: lastDateOf(ended), subscriptions: endedSubscriptions, prices: priceBook, discounts });
          endedAccrual = { period: ended, accrued: endedAccrued };
        } else if (unbilled.includes(mark.accountId)) {
          endedAccrual = { period: ended, accrued: Money.zero(currency) };
        }
        updates.push({ mark, period, ratedThrough: today, accrued, ended: endedAccrual, computedAt });
      } catch (error) {
        // rating is pure: whatever it throws, it throws again for the same data
        const failure = error instanceof DomainError ? { code: error.code, message: error.message } : { code: 'RATING_FAILED', message: String(error instanceof Error ? error.message : error) };
        result.failed.push({ accountId: mark.accountId, ...failure });
        unratable.push(mark);
      }
    }
    stage('rating');
    if (unratable.length > 0) await this.guard.clear(unratable);
    // guard latency (#10): the batch's accounts in one transaction of set-based statements
    const stored = await this.guard.storeBatch(updates);
    stage('store');
    for (const events of stored.values()) {
      result.refreshed += 1;
      result.events += events.length;
    }
  }

  /** A month's usage of `accountIds` (days up to `through`), per account; adds the products seen to `codes`. */
  private async usageOf(period: Period, accountIds: readonly string[], through: string, codes: Set<string>): Promise<Map<string, SubscriptionUsage[]>> {
    const idSet = new Set(accountIds);
    // no revision needed for an accrual: metering need not wait for (nor hold up) ingestion in flight
    const usage = await this.deps.usage.monthlyUsage(period, accountIds, { withRevision: false });
    const byAccount = new Map<string, SubscriptionUsage[]>();
    for (const subscription of Array.isArray(usage.subscriptions) ? usage.subscriptions : []) {
      if (!idSet.has(subscription.accountId)) continue;
      const days = fromUsageRuns(Array.isArray(subscription.runs) ? subscription.runs : []).filter((day) => day.date <= through);
      for (const day of days) for (const code of day.productCodes ?? []) codes.add(code);
      const list = byAccount.get(subscription.accountId) ?? [];
      list.push({ subscriptionId: subscription.subscriptionId, accountId: subscription.accountId, days });
      byAccount.set(subscription.accountId, list);
    }
    return byAccount;
  }
}

/** Adds the time since the last call (or creation) to `times[stage]`: durations, not business time. */
function stopwatch(times: GuardStageTimes): (stage: keyof GuardStageTimes) => void {
  let last = performance.now();
  return (stage) => {
    const now = performance.now();
    times[stage] += now - last;
    last = now;
  };
}

function lastDateOf(period: Period): string {
  return `${period.toString()}-${String(billingCalendar.daysInPeriod(period)).padStart(2, '0')}`;
}
