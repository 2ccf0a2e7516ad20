import { billingCalendar, DomainError, Period } from '@cec/kernel';
import { accrueRunningMonth, DiscountBook, PriceBook, SubscriptionUsage } from '@cec/billing-domain';
import { fromUsageRuns } from '@cec/contracts';
import type { BillingDeps } from './billing.ports';
import { jobFailureOf } from './job-failures';
import type { DirtyMark, PrepaidGuardRepository } from './prepaid-guard.ports';

export interface RefreshGuardResult {
  /** Accounts re-rated and stored. */
  refreshed: number;
  /** Guard events written (balance_low / balance_exhausted). */
  events: number;
  /** Accounts that cannot be rated (their mark is cleared; the next change tries again). */
  failed: Array<{ accountId: string; code: string; message: string }>;
}

/**
 * Issue 10 (prepaid guard): re-rates the running month of marked accounts, a batch at a time, and
 * stores their accrued charge and guard state. Per batch: one metering request (the month's usage),
 * one catalog request (the prices of the products involved, from the 1st to today), the discounts
 * of the batch; then per account the pure accrual ({@link accrueRunningMonth}) and one transaction.
 * The running month and today are the clock's (UTC+8). A retryable failure (an app away) is thrown
 * with every mark kept (the worker tries again later); a batch refused permanently is halved down
 * to the account that causes it, whose mark is cleared.
 */
export class RefreshPrepaidGuardUseCase {
  constructor(
    private readonly deps: BillingDeps,
    private readonly guard: PrepaidGuardRepository,
  ) {}

  async execute(marks: readonly DirtyMark[]): Promise<RefreshGuardResult> {
    const result: RefreshGuardResult = { refreshed: 0, events: 0, failed: [] };
    if (marks.length === 0) return result;
    const now = this.deps.clock.now();
    const period = billingCalendar.periodOf(now);
    const today = billingCalendar.dateOf(now);
    await this.isolating(marks, period, today, result);
    if (result.events > 0) this.deps.events.poke();
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
    const idSet = new Set(ids);
    const usage = await this.deps.usage.monthlyUsage(period, ids);
    const byAccount = new Map<string, SubscriptionUsage[]>();
    const codes = new Set<string>();
    for (const subscription of Array.isArray(usage.subscriptions) ? usage.subscriptions : []) {
      if (!idSet.has(subscription.accountId)) continue;
      const days = fromUsageRuns(Array.isArray(subscription.runs) ? subscription.runs : []).filter((day) => day.date <= today);
      for (const day of days) for (const code of day.productCodes ?? []) codes.add(code);
      const list = byAccount.get(subscription.accountId) ?? [];
      list.push({ subscriptionId: subscription.subscriptionId, accountId: subscription.accountId, days });
      byAccount.set(subscription.accountId, list);
    }
    const prices = codes.size > 0 ? await this.deps.catalog.resolvePrices({ productCodes: [...codes].sort(), from: period.firstDate(), to: today }) : { prices: {} };
    const priceBook = PriceBook.fromVersions(prices.prices ?? {});
    const discounts = DiscountBook.of(await this.deps.discounts.listForAccounts(ids));
    for (const mark of marks) {
      const currency = mark.currency;
      let accrued;
      try {
        accrued = accrueRunningMonth({ accountId: mark.accountId, currency, period, today, subscriptions: byAccount.get(mark.accountId) ?? [], prices: priceBook, discounts });
      } catch (error) {
        // rating is pure: whatever it throws, it throws again for the same data
        const failure = error instanceof DomainError ? { code: error.code, message: error.message } : { code: 'RATING_FAILED', message: String(error instanceof Error ? error.message : error) };
        result.failed.push({ accountId: mark.accountId, ...failure });
        await this.guard.clear([mark]);
        continue;
      }
      const events = await this.guard.store({ mark, period, ratedThrough: today, accrued, computedAt: this.deps.clock.now() });
      result.refreshed += 1;
      result.events += events.length;
    }
  }
}
