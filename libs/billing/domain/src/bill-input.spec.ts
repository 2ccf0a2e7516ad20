import fc from 'fast-check';
import { billingCalendar, Money, Period, Rate } from '@cec/kernel';
import { billInputOf, explainLineInput } from './bill-input';
import { draftBill, DraftBillInput } from './bill-draft';
import { Discount } from './discount';
import { PriceBook } from './price-book';
import { DailyUsage } from './rating';

const ACCOUNT = 'acc_1';
const pad = (value: number): string => String(value).padStart(2, '0');

function input(period: Period, subscriptions: DraftBillInput['subscriptions'], discounts: Discount[], reRated: DraftBillInput['reRated'] = []): DraftBillInput {
  return {
    accountId: ACCOUNT,
    period,
    currency: 'USD',
    subscriptions,
    reRated,
    prices: PriceBook.fromVersions({
      p0: [
        { unitPrice: '30.00', currency: 'USD', effectiveFrom: '2020-01-01' },
        { unitPrice: '33.33', currency: 'USD', effectiveFrom: `${period.toString()}-15` },
      ],
      p1: [{ unitPrice: '45.50', currency: 'USD', effectiveFrom: '2020-01-01' }],
    }),
    discounts,
  };
}

const discount = (id: string, productCode: string | null, rate: string, from: string, to: string | null): Discount => ({
  id,
  accountId: ACCOUNT,
  productCode,
  rate: Rate.parse(rate),
  effectiveFrom: from,
  effectiveTo: to,
});

describe('bill inputs and their explanation (issue 10)', () => {
  it('#10 the kept runs explain every usage line exactly: Σ groups / D = the unrounded amounts, rounded (R4.4) to the line', () => {
    const day = fc.record({ quantity: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50 })), products: fc.constantFrom(['p0'], ['p1'], ['p0', 'p1'], ['p1', 'p0']) });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.array(day, { minLength: 31, maxLength: 31 }), { minLength: 1, maxLength: 3 }),
        fc.constantFrom('0', '0.15', '0.0725'),
        fc.integer({ min: 1, max: 28 }),
        (month, subscriptions, rate, from) => {
          const period = Period.of(2025, month);
          const length = billingCalendar.daysInPeriod(period);
          const usage = subscriptions.map((days, index) => ({
            subscriptionId: `sub_${index}`,
            days: days.slice(0, length).map((entry, d): DailyUsage => ({ date: `${period.toString()}-${pad(d + 1)}`, quantity: entry.quantity, productCodes: entry.products })),
          }));
          const data = input(period, usage, [discount('d1', 'p0', rate, `${period.toString()}-${pad(from)}`, null), discount('d2', null, '0.05', `${period.toString()}-20`, null)]);
          const draft = draftBill(data);
          const kept = billInputOf(data, draft);
          expect(kept.lines).toHaveLength(draft.lines.length);
          draft.lines.forEach((line, index) => {
            if (line.kind !== 'usage') throw new Error('usage lines only');
            const explained = explainLineInput(kept.lines[index], 'USD');
            expect(explained.quantityDays).toBe(line.quantityDays);
            expect(explained.listExact.eq(line.listExact)).toBe(true);
            expect(explained.netExact.eq(line.netExact)).toBe(true);
            expect(explained.listAmount.equals(line.listAmount)).toBe(true);
            expect(explained.amount.equals(line.amount)).toBe(true);
            // runs: consecutive, inside the month, never overlapping
            const runs = kept.lines[index].runs;
            runs.forEach((run, r) => {
              expect(run.from <= run.to).toBe(true);
              if (r > 0) expect(runs[r - 1].to < run.from).toBe(true);
            });
          });
          // a kept input is plain JSON: it survives the jsonb column unchanged
          expect(JSON.parse(JSON.stringify(kept))).toEqual(kept);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('#10 runs group equal days; a price change (R1.3), an edition change (R3.5) and a discount start split them', () => {
    const period = Period.of(2025, 3);
    const days: DailyUsage[] = [];
    for (let d = 1; d <= 31; d += 1) days.push({ date: `2025-03-${pad(d)}`, quantity: d <= 10 ? 5 : 7, productCodes: d <= 10 ? ['p0'] : d === 11 ? ['p0', 'p1'] : ['p1'] });
    const data = input(period, [{ subscriptionId: 's1', days }], [discount('d1', 'p1', '0.1', '2025-03-20', null)]);
    const kept = billInputOf(data, draftBill(data));
    expect(kept.lines[0].runs.map((run) => [run.from, run.to, run.quantity, run.pricedProduct, run.unitPrice, run.rate])).toEqual([
      ['2025-03-01', '2025-03-10', 5, 'p0', '30', '0'],
      ['2025-03-11', '2025-03-11', 7, 'p1', '45.5', '0'],
      ['2025-03-12', '2025-03-19', 7, 'p1', '45.5', '0'],
      ['2025-03-20', '2025-03-31', 7, 'p1', '45.5', '0.1'],
    ]);
    expect(kept.lines[0].runs[1].products).toEqual(['p0', 'p1']);
    expect(kept.prices).toEqual([
      { productCode: 'p0', unitPrice: '30', effectiveFrom: '2020-01-01', currency: 'USD' },
      { productCode: 'p1', unitPrice: '45.5', effectiveFrom: '2020-01-01', currency: 'USD' },
    ]);
    // the explanation merges the two runs of (7, p1, 45.5, 0) into one group of 9 days (one range)
    const explained = explainLineInput(kept.lines[0], 'USD');
    expect(explained.groups.map((group) => [group.dates, group.days, group.quantityDays, group.listSum.toString()])).toEqual([
      [[{ from: '2025-03-01', to: '2025-03-10' }], 10, 50, '1500'],
      [[{ from: '2025-03-11', to: '2025-03-19' }], 9, 63, '2866.5'],
      [[{ from: '2025-03-20', to: '2025-03-31' }], 12, 84, '3822'],
    ]);
    // a group of days apart keeps one range per stretch
    const apart = billInputOf(
      input(period, [{ subscriptionId: 's2', days: days.map((day) => ({ ...day, productCodes: ['p1'], quantity: day.date === '2025-03-15' ? 9 : 7 })) }], []),
      draftBill(input(period, [{ subscriptionId: 's2', days: days.map((day) => ({ ...day, productCodes: ['p1'], quantity: day.date === '2025-03-15' ? 9 : 7 })) }], [])),
    );
    expect(explainLineInput(apart.lines[0], 'USD').groups.map((group) => [group.quantity, group.dates])).toEqual([
      [7, [{ from: '2025-03-01', to: '2025-03-14' }, { from: '2025-03-16', to: '2025-03-31' }]],
      [9, [{ from: '2025-03-15', to: '2025-03-15' }]],
    ]);
  });

  it('#10 an adjustment line (R6.2) keeps the re-rated month and what was billed before it', () => {
    const april = Period.of(2025, 4);
    const march = Period.of(2025, 3);
    const marchDays: DailyUsage[] = [];
    for (let d = 1; d <= 31; d += 1) marchDays.push({ date: `2025-03-${pad(d)}`, quantity: 2, productCodes: ['p1'] });
    const billed = { productCode: 'p1', quantityDays: 40, listAmount: Money.parse('58.71'), discountAmount: Money.parse('0.00'), amount: Money.parse('58.71') };
    const data = input(april, [], [], [{ period: march, subscriptions: [{ subscriptionId: 's1', days: marchDays }], billed: new Map([['s1', billed]]) }]);
    const draft = draftBill(data);
    const kept = billInputOf(data, draft);
    expect(draft.lines).toHaveLength(1);
    expect(kept.lines[0]).toMatchObject({ kind: 'adjustment', forPeriod: '2025-03', daysInPeriod: 31, billed: { quantityDays: 40, listAmount: '58.71', discountAmount: '0.00', amount: '58.71' } });
    const explained = explainLineInput(kept.lines[0], 'USD');
    expect(explained.amount.minus(billed.amount).equals(draft.lines[0].amount)).toBe(true);
    expect(explained.quantityDays - 40).toBe(draft.lines[0].quantityDays);
  });
});
