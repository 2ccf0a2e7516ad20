import { billingCalendar, CalendarDate, Currency, Money, Period } from '@cec/kernel';
import { Discount, DiscountBook } from './discount';
import { PriceBook } from './price-book';
import { rateAccount, SubscriptionUsage } from './rating';

export interface AccrueRunningMonthInput {
  readonly accountId: string;
  readonly currency: Currency;
  /** The running month (UTC+8). */
  readonly period: Period;
  /** Today (UTC+8): the last day that counts; a date of `period`. */
  readonly today: CalendarDate;
  /** The month's usage as metering answers it (days after `today` are ignored). */
  readonly subscriptions: readonly SubscriptionUsage[];
  readonly prices: PriceBook;
  readonly discounts: DiscountBook | readonly Discount[];
}

/**
 * Issue 10 (prepaid guard): the running month's accrued charge "so far": the month rated exactly as
 * a run rates it (R4: the same prices, discounts and rounding, D = the days of the whole month), on
 * the days of the month up to and including `today` (UTC+8) with the quantity in force on each;
 * the days after today are left out. The net amount after discounts, rounded per line (R4.4).
 */
export function accrueRunningMonth(input: AccrueRunningMonthInput): Money {
  const subscriptions = input.subscriptions.map((subscription) => ({
    ...subscription,
    days: subscription.days.filter((day) => day.date <= input.today),
  }));
  return rateAccount({
    period: input.period,
    daysInPeriod: billingCalendar.daysInPeriod(input.period),
    accountId: input.accountId,
    subscriptions,
    prices: input.prices,
    discounts: input.discounts,
    currency: input.currency,
  }).total;
}

/**
 * The guard's level: `exhausted` when the projected balance is zero or below, `low` when it is below
 * the account's threshold, else `ok`.
 */
export type GuardState = 'ok' | 'low' | 'exhausted';

export const GUARD_STATES: readonly GuardState[] = ['ok', 'low', 'exhausted'];

export type GuardEventKind = 'balance_low' | 'balance_exhausted';

export interface GuardEvaluation {
  /** balance − accrued (the running month's, plus an ended month's not yet billed: the caller's sum). */
  readonly projectedBalance: Money;
  readonly state: GuardState;
  /** The crossings to announce, in order (empty when the level did not fall). */
  readonly events: readonly GuardEventKind[];
}

const RANK: Record<GuardState, number> = { ok: 0, low: 1, exhausted: 2 };

/** The level of a projected balance against a threshold (null: no threshold set). */
export function guardStateOf(projectedBalance: Money, threshold: Money | null): GuardState {
  if (!projectedBalance.isPositive()) return 'exhausted';
  if (threshold !== null && projectedBalance.compare(threshold) < 0) return 'low';
  return 'ok';
}

/**
 * Issue 10: projectedBalance = balance − accrued, where the caller's `accrued` is the running month's
 * accrual plus that of the ended month while its bill is not yet deducted (what is left if the month
 * ended now; what is outstanding on issued bills is not part of it). Falling from `ok` below the threshold
 * announces `balance_low`; falling to zero or below announces `balance_exhausted` (from `ok` past a
 * threshold it is also below, both, low first). Each is announced once per crossing: a level that does not fall
 * announces nothing, and rising (a top-up, a higher balance) re-arms what it rose above.
 */
export function evaluateGuard(input: { balance: Money; accrued: Money; threshold: Money | null; previous: GuardState }): GuardEvaluation {
  const projectedBalance = input.balance.minus(input.accrued);
  const state = guardStateOf(projectedBalance, input.threshold);
  const events: GuardEventKind[] = [];
  if (RANK[state] > RANK[input.previous]) {
    if (input.previous === 'ok' && input.threshold !== null && projectedBalance.compare(input.threshold) < 0) events.push('balance_low');
    if (state === 'exhausted') events.push('balance_exhausted');
  }
  return { projectedBalance, state, events };
}
