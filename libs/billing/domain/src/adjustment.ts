import { Currency, DomainError, Money, Period } from '@cec/kernel';
import { RatedLine } from './rating';

/** What has been billed so far for one (subscription, month): a line, or a sum of lines. */
export interface BilledAmounts {
  readonly quantityDays: number;
  readonly listAmount: Money;
  readonly discountAmount: Money;
  readonly amount: Money;
}

/** The amounts already billed for one (subscription, forPeriod): original line plus adjustments. */
export interface BilledForPeriod extends BilledAmounts {
  /** The product of the original line; names the adjustment when the re-rated line has none. */
  readonly productCode: string;
}

/** An `adjustment` bill line (R6.2): what a late usage event changes in an already billed month. */
export interface AdjustmentLine {
  readonly kind: 'adjustment';
  readonly accountId: string;
  readonly subscriptionId: string;
  /** The month the adjustment corrects. */
  readonly forPeriod: Period;
  readonly productCode: string;
  /** Differences, each possibly negative. */
  readonly quantityDays: number;
  readonly daysInPeriod: number;
  readonly listAmount: Money;
  readonly discountAmount: Money;
  readonly amount: Money;
}

/** Sums billed lines (the original line and the adjustments issued since) field by field. */
export function sumBilledAmounts(lines: readonly BilledAmounts[], currency: Currency = 'USD'): BilledAmounts {
  return lines.reduce<BilledAmounts>(
    (sum, line) => ({
      quantityDays: sum.quantityDays + line.quantityDays,
      listAmount: sum.listAmount.plus(line.listAmount),
      discountAmount: sum.discountAmount.plus(line.discountAmount),
      amount: sum.amount.plus(line.amount),
    }),
    { quantityDays: 0, listAmount: Money.zero(currency), discountAmount: Money.zero(currency), amount: Money.zero(currency) },
  );
}

/**
 * R6.2: the adjustment line that brings what was billed for a month up (or down) to the month's
 * re-rating: each field is `reRated - billed`. Null when nothing differs, so re-rating a month
 * that late usage did not change bills nothing.
 */
export function computeAdjustment(reRated: RatedLine, billed: BilledForPeriod): AdjustmentLine | null {
  if (!Number.isSafeInteger(billed.quantityDays)) {
    throw DomainError.validation('billed quantityDays must be a whole number');
  }
  const quantityDays = reRated.quantityDays - billed.quantityDays;
  const listAmount = reRated.listAmount.minus(billed.listAmount);
  const discountAmount = reRated.discountAmount.minus(billed.discountAmount);
  const amount = reRated.amount.minus(billed.amount);
  if (quantityDays === 0 && listAmount.isZero() && discountAmount.isZero() && amount.isZero()) {
    return null;
  }
  return {
    kind: 'adjustment',
    accountId: reRated.accountId,
    subscriptionId: reRated.subscriptionId,
    forPeriod: reRated.forPeriod,
    productCode: reRated.productCode ?? billed.productCode,
    quantityDays,
    daysInPeriod: reRated.daysInPeriod,
    listAmount,
    discountAmount,
    amount,
  };
}
