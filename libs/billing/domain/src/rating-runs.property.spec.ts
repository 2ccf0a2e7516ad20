import fc from 'fast-check';
import { Money, Period, Rate } from '@cec/kernel';
import { draftBill } from './bill-draft';
import { billInputOf } from './bill-input';
import { Discount, DiscountBook } from './discount';
import { PriceBook } from './price-book';
import { DailyUsage, rateSubscription, SubscriptionRuns, SubscriptionUsage, UsageRun } from './rating';

/*
 * #11: a month of usage rated from RUNS of days (as metering sends it) gives exactly what the same
 * month rated day by day gives: the same exact sums, amounts, label and kept inputs, on random
 * months with prices changing mid-month, discounts (of one product or of all) starting and ending
 * mid-month, edition-change days holding several products, quantity-0 days, days left out, and
 * runs split at arbitrary places and listed in any order.
 */

const PRODUCTS = ['p0', 'p1', 'p2'] as const;
const ACCOUNT = 'acc_1';
const pad = (value: number): string => String(value).padStart(2, '0');

function daysInMonth(year: number, month: number): number {
  return [31, (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

interface Day {
  readonly day: number;
  readonly quantity: number;
  readonly productCodes: string[];
  readonly omit: boolean;
  /** Starts a new run even when equal to the day before (runs need not be maximal). */
  readonly split: boolean;
}

interface Scenario {
  readonly year: number;
  readonly month: number;
  readonly prices: Record<string, Array<{ effectiveFrom: string; unitPrice: string }>>;
  readonly discounts: Array<{ productCode: string | null; from: string; to: string | null; rate: string }>;
  /** Two subscriptions' days of the month. */
  readonly usage: [Day[], Day[]];
  /** Some product has no price before a date inside the month (rating must fail the same way). */
  readonly reverse: boolean;
}

function monthArbitrary(year: number, month: number, withGaps: boolean): fc.Arbitrary<Omit<Scenario, 'year' | 'month' | 'reverse'>> {
  const length = daysInMonth(year, month);
  const next = month === 12 ? { y: year + 1, m: 1 } : { y: year, m: month + 1 };
  // 0: long before; 1..length: days of the month; above: days of the next month
  const point = (n: number): string => (n === 0 ? `${year - 1}-06-01` : n <= length ? `${year}-${pad(month)}-${pad(n)}` : `${next.y}-${pad(next.m)}-${pad(n - length)}`);
  const price = fc.oneof(fc.constantFrom('0', '1.5', '10', '99.99'), fc.integer({ min: 0, max: 5_000_000 }).map((cents) => (cents / 100).toFixed(2)));
  const versions = fc
    .tuple(fc.boolean(), price, fc.uniqueArray(fc.tuple(fc.integer({ min: 1, max: length + 2 }), price), { maxLength: 3, selector: ([n]) => n }))
    .map(([fromStart, first, later]) => [
      // a product priced from a day inside the month only: its days before that have no price
      { effectiveFrom: fromStart || !withGaps ? `${year - 1}-12-31` : point(3), unitPrice: first },
      ...later.filter(([n]) => fromStart || !withGaps || n > 3).map(([n, unitPrice]) => ({ effectiveFrom: point(n), unitPrice })),
    ]);
  const rate = fc.oneof(fc.constant('0'), fc.integer({ min: 0, max: 9999 }).map((r) => `0.${String(r).padStart(4, '0')}`));
  const scope = (productCode: string | null) =>
    fc.tuple(fc.uniqueArray(fc.integer({ min: 0, max: length + 2 }), { maxLength: 4 }), fc.boolean(), rate, rate).map(([cuts, openEnd, r1, r2]) => {
      const sorted = [...cuts].sort((a, b) => a - b);
      const list: Scenario['discounts'] = [];
      if (sorted.length >= 2) list.push({ productCode, from: point(sorted[0]), to: point(sorted[1]), rate: r1 });
      if (sorted.length >= 3) list.push({ productCode, from: point(sorted[2]), to: sorted.length === 4 && !openEnd ? point(sorted[3]) : null, rate: r2 });
      return list;
    });
  const day = fc.record({
    repeat: fc.boolean(),
    quantity: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 100_000 })),
    first: fc.constantFrom(...PRODUCTS),
    second: fc.option(fc.constantFrom(...PRODUCTS), { freq: 4 }),
    omit: fc.boolean(),
    split: fc.integer({ min: 0, max: 9 }),
  });
  const subscription = fc.array(day, { minLength: length, maxLength: length }).map((list) => {
    const days: Day[] = [];
    for (const [index, d] of list.entries()) {
      const previous = days[days.length - 1];
      // mostly the day before again: long runs, cut by price and discount changes
      const base =
        d.repeat && previous
          ? { quantity: previous.quantity, productCodes: previous.productCodes }
          : { quantity: d.quantity, productCodes: d.second === null || d.second === d.first ? [d.first] : [d.first, d.second] };
      days.push({ day: index + 1, ...base, omit: withGaps && d.omit && base.quantity === 0, split: d.split === 0 });
    }
    return days;
  });
  return fc.record({
    prices: fc.record({ p0: versions, p1: versions, p2: versions }),
    discounts: fc.tuple(scope(null), scope('p0'), scope('p1'), scope('p2')).map((lists) => lists.flat()),
    usage: fc.tuple(subscription, subscription),
  });
}

const scenarioArbitrary = (withGaps: boolean): fc.Arbitrary<Scenario> =>
  fc
    .record({ year: fc.integer({ min: 2023, max: 2028 }), month: fc.integer({ min: 1, max: 12 }), reverse: fc.boolean() })
    .chain(({ year, month, reverse }) => monthArbitrary(year, month, withGaps).map((rest) => ({ year, month, reverse, ...rest })));

function daysOf(scenario: Scenario, days: readonly Day[]): DailyUsage[] {
  const prefix = `${scenario.year}-${pad(scenario.month)}-`;
  return days.filter((d) => !d.omit).map((d) => ({ date: `${prefix}${pad(d.day)}`, quantity: d.quantity, productCodes: d.productCodes }));
}

/** The same days as runs: consecutive equal days joined, except where a day splits or a day is left out. */
function runsOf(scenario: Scenario, days: readonly Day[]): UsageRun[] {
  const prefix = `${scenario.year}-${pad(scenario.month)}-`;
  const runs: Array<{ from: string; to: string; quantity: number; productCodes: string[]; last: number }> = [];
  for (const d of days) {
    if (d.omit) continue;
    const last = runs[runs.length - 1];
    const same = last && last.last === d.day - 1 && last.quantity === d.quantity && last.productCodes.join() === d.productCodes.join();
    if (same && !d.split) {
      last.to = `${prefix}${pad(d.day)}`;
      last.last = d.day;
    } else {
      runs.push({ from: `${prefix}${pad(d.day)}`, to: `${prefix}${pad(d.day)}`, quantity: d.quantity, productCodes: [...d.productCodes], last: d.day });
    }
  }
  const list = runs.map(({ from, to, quantity, productCodes }) => ({ from, to, quantity, productCodes }));
  return scenario.reverse ? list.reverse() : list;
}

function books(scenario: Scenario): { prices: PriceBook; discounts: DiscountBook } {
  const prices = PriceBook.fromVersions(
    Object.fromEntries(Object.entries(scenario.prices).map(([code, versions]) => [code, versions.map((v) => ({ ...v, currency: 'USD' }))])),
  );
  const discounts: Discount[] = scenario.discounts.map((d, index) => ({
    id: `dsc_${index}`,
    accountId: ACCOUNT,
    productCode: d.productCode,
    rate: Rate.parse(d.rate),
    effectiveFrom: d.from,
    effectiveTo: d.to,
  }));
  return { prices, discounts: DiscountBook.of(discounts) };
}

/** Whatever a computation returns as plain comparable data, or the error it throws. */
function outcome<T>(compute: () => T): { value: string } | { error: string } {
  try {
    return { value: JSON.stringify(compute(), (_key, value: unknown) => (typeof value === 'object' && value !== null && 'toFixed' in value ? String(value) : value)) };
  } catch (error) {
    return { error: error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error) };
  }
}

describe('#11 rating runs of days equals rating day by day (R4.1-R4.4, R5.2, #9.8)', () => {
  it('rateSubscription: the same exact sums, amounts, label and quantity-days', () => {
    fc.assert(
      fc.property(scenarioArbitrary(false), (scenario) => {
        const { prices, discounts } = books(scenario);
        const period = Period.of(scenario.year, scenario.month);
        const common = { period, daysInPeriod: daysInMonth(scenario.year, scenario.month), accountId: ACCOUNT, subscriptionId: 'sub_1', prices, discounts };
        const byDay = rateSubscription({ ...common, days: daysOf(scenario, scenario.usage[0]) });
        const byRun = rateSubscription({ ...common, runs: runsOf(scenario, scenario.usage[0]) });
        expect({ ...byRun, listExact: byRun.listExact.toString(), netExact: byRun.netExact.toString() }).toEqual({
          ...byDay,
          listExact: byDay.listExact.toString(),
          netExact: byDay.netExact.toString(),
        });
      }),
      { numRuns: 400 },
    );
  });

  it('draftBill and billInputOf: the same bill, adjustment lines and kept inputs; the same failure where a day has no price', () => {
    fc.assert(
      fc.property(scenarioArbitrary(true), fc.integer({ min: 0, max: 3 }), (scenario, billedCents) => {
        const { prices, discounts } = books(scenario);
        const period = Period.of(scenario.year, scenario.month);
        const later = period.next();
        const usage = (form: 'days' | 'runs'): Array<SubscriptionUsage | SubscriptionRuns> =>
          scenario.usage.map((days, index) =>
            form === 'days' ? { subscriptionId: `sub_${index}`, days: daysOf(scenario, days) } : { subscriptionId: `sub_${index}`, runs: runsOf(scenario, days) },
          );
        const billed = new Map([
          ['sub_1', { productCode: 'p1', quantityDays: 3, listAmount: Money.ofCents(String(billedCents), 'USD'), discountAmount: Money.zero('USD'), amount: Money.ofCents(String(billedCents), 'USD') }],
        ]);
        // the scenario's month as this month's usage and, again, as an earlier month re-rated (R6.2)
        const input = (form: 'days' | 'runs') => ({
          accountId: ACCOUNT,
          period: later,
          currency: 'USD' as const,
          subscriptions: [],
          reRated: [{ period, subscriptions: usage(form), billed }],
          prices,
          discounts,
        });
        const asMonth = (form: 'days' | 'runs') => ({ ...input(form), period, reRated: [], subscriptions: usage(form) });
        for (const make of [input, asMonth]) {
          const byDay = outcome(() => {
            const draft = draftBill(make('days'));
            return { draft, input: billInputOf(make('days'), draft) };
          });
          const byRun = outcome(() => {
            const draft = draftBill(make('runs'));
            return { draft, input: billInputOf(make('runs'), draft) };
          });
          expect(byRun).toEqual(byDay);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses runs that overlap, leave the period or run backwards', () => {
    const { prices, discounts } = books({ year: 2026, month: 1, reverse: false, prices: { p0: [{ effectiveFrom: '2025-01-01', unitPrice: '1' }] }, discounts: [], usage: [[], []] });
    const rate = (runs: UsageRun[]) => () =>
      rateSubscription({ period: Period.of(2026, 1), daysInPeriod: 31, accountId: ACCOUNT, subscriptionId: 's', runs, prices, discounts });
    const run = (from: string, to: string): UsageRun => ({ from, to, quantity: 1, productCodes: ['p0'] });
    expect(rate([run('2026-01-01', '2026-01-10'), run('2026-01-10', '2026-01-12')])).toThrow('2026-01-10 appears twice');
    expect(rate([run('2026-01-20', '2026-02-01')])).toThrow('is not in 2026-01');
    expect(rate([run('2026-01-05', '2026-01-04')])).toThrow('is before its from');
    expect(rate([{ ...run('2026-01-01', '2026-01-02'), productCodes: [] }])).toThrow('must name the product');
    expect(rate([run('2026-01-01', '2026-01-31')])().amount.toString()).toBe('1.00');
  });
});
