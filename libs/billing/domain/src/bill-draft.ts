import { billingCalendar, Currency, Money, Period } from '@cec/kernel';
import { AdjustmentLine, BilledForPeriod, computeAdjustment } from './adjustment';
import { Discount, DiscountBook } from './discount';
import { PriceBook } from './price-book';
import { rateAccount, RatedLine, rateSubscription, SubscriptionUsageInput, sumAmounts, usageDaysOf } from './rating';

/** A month already billed that is rated again because late usage may have changed it (R6.2). */
export interface ReRatedPeriodInput {
  readonly period: Period;
  /** The month's usage as metering knows it now (subscriptions of this account only). */
  readonly subscriptions: readonly SubscriptionUsageInput[];
  /** What was billed so far per subscription for this month: original line plus adjustments. */
  readonly billed: ReadonlyMap<string, BilledForPeriod>;
}

export interface DraftBillInput {
  readonly accountId: string;
  readonly period: Period;
  readonly currency: Currency;
  readonly subscriptions: readonly SubscriptionUsageInput[];
  readonly reRated: readonly ReRatedPeriodInput[];
  readonly prices: PriceBook;
  readonly discounts: DiscountBook | readonly Discount[];
}

export type BillLine = RatedLine | AdjustmentLine;

export interface BillDraft {
  readonly accountId: string;
  readonly period: Period;
  readonly currency: Currency;
  /** Usage lines of the period (R4.5), then adjustment lines of earlier months (R6.2). */
  readonly lines: readonly BillLine[];
  readonly total: Money;
  /** R4.5/R6.2: a bill is issued when there is at least one line (usage or adjustment). */
  readonly billable: boolean;
}

/**
 * The bill of one account for one period, as a pure function: the month's usage lines (R4) and,
 * for each month re-rated because of late usage, the difference between its re-rating and what
 * was billed for it so far, per subscription (R6.2). Issued bills never change: corrections are
 * lines on this bill, positive or negative.
 */
export function draftBill(input: DraftBillInput): BillDraft {
  const rated = rateAccount({
    period: input.period,
    daysInPeriod: billingCalendar.daysInPeriod(input.period),
    accountId: input.accountId,
    subscriptions: input.subscriptions,
    prices: input.prices,
    discounts: input.discounts,
    currency: input.currency,
  });
  const adjustments: AdjustmentLine[] = [];
  const ordered = [...input.reRated].sort((a, b) => a.period.compare(b.period));
  for (const month of ordered) {
    const daysInPeriod = billingCalendar.daysInPeriod(month.period);
    const usageBySubscription = new Map(month.subscriptions.map((subscription) => [subscription.subscriptionId, subscription]));
    const subscriptionIds = [...new Set([...usageBySubscription.keys(), ...month.billed.keys()])].sort();
    for (const subscriptionId of subscriptionIds) {
      const line = rateSubscription({
        period: month.period,
        daysInPeriod,
        accountId: input.accountId,
        subscriptionId,
        ...usageDaysOf(usageBySubscription.get(subscriptionId)),
        prices: input.prices,
        discounts: input.discounts,
        currency: input.currency,
      });
      const billed = month.billed.get(subscriptionId);
      if (!billed) {
        if (line.quantityDays === 0 || line.productCode === null) continue;
        const nothing: BilledForPeriod = {
          productCode: line.productCode,
          quantityDays: 0,
          listAmount: Money.zero(input.currency),
          discountAmount: Money.zero(input.currency),
          amount: Money.zero(input.currency),
        };
        const adjustment = computeAdjustment(line, nothing);
        if (adjustment) adjustments.push(adjustment);
        continue;
      }
      const adjustment = computeAdjustment(line, billed);
      if (adjustment) adjustments.push(adjustment);
    }
  }
  const lines: BillLine[] = [...rated.lines, ...adjustments];
  return {
    accountId: input.accountId,
    period: input.period,
    currency: input.currency,
    lines,
    total: sumAmounts(lines, input.currency),
    billable: lines.length > 0,
  };
}
