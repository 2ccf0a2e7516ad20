import { Money, Period } from '@cec/kernel';
import { computeAdjustment, sumBilledAmounts } from './adjustment';
import { createDiscount } from './discount';
import { PriceBook } from './price-book';
import { DailyUsage, RatedLine, rateSubscription } from './rating';

const book = PriceBook.fromVersions({ 'basic-cec': [{ unitPrice: '50.00', currency: 'USD', effectiveFrom: '2026-01-01' }] });
const discounts = [
  createDiscount({ id: 'd', accountId: 'acc_1', productCode: 'basic-cec', rate: '0.15', effectiveFrom: '2026-01-01' }),
];

function days(from: number, to: number, quantity: number): DailyUsage[] {
  return Array.from({ length: to - from + 1 }, (_, index) => ({
    date: `2026-04-${String(from + index).padStart(2, '0')}`,
    quantity,
    productCodes: ['basic-cec'],
  }));
}

function rated(usage: DailyUsage[]): RatedLine {
  return rateSubscription({
    period: Period.parse('2026-04'),
    daysInPeriod: 30,
    accountId: 'acc_1',
    subscriptionId: 'sub_1',
    days: usage,
    prices: book,
    discounts,
  });
}

// E7 with 15 %: billed 150 quantity-days, list 250.00, discount 37.50, amount 212.50
const original = { ...rated(days(16, 30, 10)), productCode: 'basic-cec' };

function view(line: ReturnType<typeof computeAdjustment>): Record<string, string | number> | null {
  return (
    line && {
      kind: line.kind,
      subscriptionId: line.subscriptionId,
      forPeriod: line.forPeriod.toString(),
      productCode: line.productCode,
      quantityDays: line.quantityDays,
      daysInPeriod: line.daysInPeriod,
      listAmount: line.listAmount.toString(),
      discountAmount: line.discountAmount.toString(),
      amount: line.amount.toString(),
    }
  );
}

describe('adjustment (R6.2 late usage for a billed month)', () => {
  it('R6.2 late usage that adds a day bills the difference as an adjustment line for the corrected month', () => {
    // a late event shows the 10 agents were already in use on April 15
    const reRated = rated(days(15, 30, 10));
    expect(view(computeAdjustment(reRated, original))).toEqual({
      kind: 'adjustment',
      subscriptionId: 'sub_1',
      forPeriod: '2026-04',
      productCode: 'basic-cec',
      quantityDays: 10,
      daysInPeriod: 30,
      listAmount: '16.67', // 266.67 - 250.00
      discountAmount: '2.50', // 40.00 - 37.50
      amount: '14.17', // 226.67 - 212.50
    });
  });

  it('R6.2 late usage that lowers the quantity gives a negative adjustment', () => {
    // a late event shows only 4 agents on April 30
    const reRated = rated([...days(16, 29, 10), ...days(30, 30, 4)]);
    expect(view(computeAdjustment(reRated, original))).toMatchObject({
      quantityDays: -6,
      listAmount: '-10.00',
      discountAmount: '-1.50',
      amount: '-8.50',
    });
  });

  it('R6.2 a re-rating that changes nothing gives no adjustment (null)', () => {
    expect(computeAdjustment(rated(days(16, 30, 10)), original)).toBeNull();
  });

  it('R6.2 earlier adjustments count as billed: only the remaining difference is adjusted', () => {
    const first = computeAdjustment(rated(days(15, 30, 10)), original);
    expect(first).not.toBeNull();
    const billedSoFar = { ...sumBilledAmounts(first ? [original, first] : [original]), productCode: 'basic-cec' };
    expect(billedSoFar.amount.toString()).toBe('226.67');
    // the same late usage re-rated again: nothing more to bill
    expect(computeAdjustment(rated(days(15, 30, 10)), billedSoFar)).toBeNull();
    // one more late day on April 14
    expect(view(computeAdjustment(rated(days(14, 30, 10)), billedSoFar))).toMatchObject({
      quantityDays: 10,
      listAmount: '16.66', // 283.33 - 266.67: rounding is on the month's total, not the increment
      amount: '14.16', // 240.83 - 226.67
      discountAmount: '2.50', // 42.50 - 40.00
    });
  });

  it('R6.2 a month whose usage disappears entirely is refunded in full, under the billed product', () => {
    const reRated = rated([]);
    expect(reRated.productCode).toBeNull();
    expect(view(computeAdjustment(reRated, original))).toMatchObject({
      productCode: 'basic-cec',
      quantityDays: -150,
      listAmount: '-250.00',
      discountAmount: '-37.50',
      amount: '-212.50',
    });
  });

  it('R6.2 sums of billed lines start at zero', () => {
    const zero = sumBilledAmounts([]);
    expect(zero.quantityDays).toBe(0);
    expect(zero.amount.equals(Money.zero())).toBe(true);
  });
});
