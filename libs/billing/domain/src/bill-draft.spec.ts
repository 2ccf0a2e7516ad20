import { Money, Period } from '@cec/kernel';
import { BilledForPeriod } from './adjustment';
import { draftBill } from './bill-draft';
import { createDiscount } from './discount';
import { PriceBook } from './price-book';
import { DailyUsage } from './rating';

const ACCOUNT = 'acc_1';

function days(period: string, from: number, to: number, quantity: number, ...productCodes: string[]): DailyUsage[] {
  return Array.from({ length: to - from + 1 }, (_, index) => ({ date: `${period}-${String(from + index).padStart(2, '0')}`, quantity, productCodes }));
}

const prices = PriceBook.fromVersions({ basic: [{ unitPrice: '30.00', currency: 'USD', effectiveFrom: '2020-01-01' }] });

function billed(quantityDays: number, amount: string, productCode = 'basic'): BilledForPeriod {
  return { productCode, quantityDays, listAmount: Money.parse(amount), discountAmount: Money.zero(), amount: Money.parse(amount) };
}

describe('draftBill: a month of usage plus adjustments of earlier months (R4.5, R6.2)', () => {
  it('R4.5 usage lines only for subscriptions with quantity-days; no line, no bill', () => {
    const draft = draftBill({ accountId: ACCOUNT, period: Period.parse('2026-02'), currency: 'USD', subscriptions: [{ subscriptionId: 's1', days: [] }], reRated: [], prices, discounts: [] });
    expect(draft).toMatchObject({ billable: false, lines: [] });
    expect(draft.total.toString()).toBe('0.00');
  });

  it('R6.2 a late increase: usage line of the month plus a positive adjustment for the corrected month', () => {
    const draft = draftBill({
      accountId: ACCOUNT,
      period: Period.parse('2026-02'),
      currency: 'USD',
      subscriptions: [{ subscriptionId: 's1', days: days('2026-02', 1, 28, 1, 'basic') }],
      reRated: [
        {
          period: Period.parse('2026-01'),
          subscriptions: [{ subscriptionId: 's1', days: [...days('2026-01', 1, 15, 1, 'basic'), ...days('2026-01', 16, 31, 2, 'basic')] }],
          billed: new Map([['s1', billed(31, '30.00')]]),
        },
      ],
      prices,
      discounts: [],
    });
    expect(draft.lines.map((line) => [line.kind, line.forPeriod.toString(), line.quantityDays, line.amount.toString()])).toEqual([
      ['usage', '2026-02', 28, '30.00'],
      ['adjustment', '2026-01', 16, '15.48'],
    ]);
    expect(draft.total.toString()).toBe('45.48');
  });

  it('R6.2 a late cancellation: a subscription billed before and now without usage gets a negative adjustment; the total may be negative', () => {
    const draft = draftBill({
      accountId: ACCOUNT,
      period: Period.parse('2026-03'),
      currency: 'USD',
      subscriptions: [],
      reRated: [{ period: Period.parse('2026-01'), subscriptions: [], billed: new Map([['s1', billed(31, '30.00')]]) }],
      prices,
      discounts: [],
    });
    expect(draft.billable).toBe(true);
    expect(draft.lines).toHaveLength(1);
    expect(draft.lines[0]).toMatchObject({ kind: 'adjustment', productCode: 'basic', quantityDays: -31 });
    expect(draft.total.toString()).toBe('-30.00');
  });

  it('R6.2 a month re-rated without change bills nothing; a subscription never billed before is adjusted in full', () => {
    const draft = draftBill({
      accountId: ACCOUNT,
      period: Period.parse('2026-03'),
      currency: 'USD',
      subscriptions: [],
      reRated: [
        {
          period: Period.parse('2026-01'),
          subscriptions: [
            { subscriptionId: 's1', days: days('2026-01', 1, 31, 1, 'basic') },
            { subscriptionId: 's2', days: days('2026-01', 1, 31, 1, 'basic') },
          ],
          billed: new Map([['s1', billed(31, '30.00')]]),
        },
      ],
      prices,
      discounts: [createDiscount({ id: 'd1', accountId: ACCOUNT, productCode: 'basic', rate: '0.5', effectiveFrom: '2026-01-01', effectiveTo: '2026-01-02' })],
    });
    // s1: day 1 now at 50 % -> 29.52 vs 30.00 billed; s2: in full
    expect(draft.lines.map((line) => [line.subscriptionId, line.quantityDays, line.listAmount.toString(), line.discountAmount.toString(), line.amount.toString()])).toEqual([
      ['s1', 0, '0.00', '0.48', '-0.48'],
      ['s2', 31, '30.00', '0.48', '29.52'],
    ]);
  });
});
