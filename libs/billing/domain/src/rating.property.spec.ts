import fc from 'fast-check';
import { Period, Rate } from '@cec/kernel';
import { Discount } from './discount';
import { PriceBook } from './price-book';
import { DailyUsage, rateSubscription } from './rating';

/*
 * R4.1-R4.4, R5: the rating engine against a deliberately naive second implementation. The naive
 * one shares no code with the engine: exact rationals over BigInt (prices in cents, rates in
 * 1/10000), a linear scan for the price version and the discount, its own month length, and its
 * own rounding of a fraction to cents, half away from zero.
 */

const PRODUCTS = ['p0', 'p1', 'p2'] as const;
const ACCOUNT = 'acc_1';

interface Scenario {
  readonly year: number;
  readonly month: number;
  /** Per product: price versions as [effectiveFrom, cents]. */
  readonly prices: Record<string, Array<[string, bigint]>>;
  /** Per day 1..D: quantity and products held (may be omitted from the input when quantity is 0). */
  readonly days: Array<{ day: number; quantity: number; productCodes: string[]; omit: boolean }>;
  /** Discounts with rates in 1/10000. */
  readonly discounts: Array<{ productCode: string | null; from: string; to: string | null; rate: bigint }>;
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

// ---- the naive implementation ------------------------------------------------------------------

function naiveDaysInMonth(year: number, month: number): number {
  return [31, (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** numerator / denominator rounded to an integer, half away from zero (either sign). */
function roundHalfAwayFromZero(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const rounded = (2n * n + d) / (2n * d);
  return negative ? -rounded : rounded;
}

function centsToString(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  return `${negative && abs !== 0n ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

function naiveRate(scenario: Scenario, productCode: string, date: string): bigint {
  const active = (scope: string | null): bigint | undefined =>
    scenario.discounts.find((d) => d.productCode === scope && d.from <= date && (d.to === null || date < d.to))?.rate;
  return active(productCode) ?? active(null) ?? 0n;
}

function naivePrice(scenario: Scenario, productCode: string, date: string): bigint {
  let best: [string, bigint] | undefined;
  for (const version of scenario.prices[productCode]) {
    if (version[0] <= date && (best === undefined || version[0] > best[0])) {
      best = version;
    }
  }
  if (!best) {
    throw new Error('scenario without price');
  }
  return best[1];
}

function naiveRating(scenario: Scenario): { quantityDays: number; list: string; amount: string; discount: string } {
  const days = naiveDaysInMonth(scenario.year, scenario.month);
  // list in cents = listSum / D; net in cents = netSum / (10000 D)
  let listSum = 0n;
  let netSum = 0n;
  let quantityDays = 0;
  for (const day of scenario.days) {
    if (day.quantity === 0) continue;
    const date = `${scenario.year}-${pad(scenario.month)}-${pad(day.day)}`;
    // R4.2: the highest price of the editions held; of those at that price, the largest discount (#9.8)
    const held = day.productCodes.map((code) => ({ code, cents: naivePrice(scenario, code, date) }));
    if (held.length === 0) throw new Error('day without product');
    const top = held.reduce((max, entry) => (entry.cents > max ? entry.cents : max), held[0].cents);
    const rate = held.filter((entry) => entry.cents === top).reduce((max, entry) => {
      const r = naiveRate(scenario, entry.code, date);
      return r > max ? r : max;
    }, 0n);
    const q = BigInt(day.quantity);
    listSum += q * top;
    netSum += q * top * (10000n - rate);
    quantityDays += day.quantity;
  }
  const list = roundHalfAwayFromZero(listSum, BigInt(days));
  const amount = roundHalfAwayFromZero(netSum, 10000n * BigInt(days));
  return { quantityDays, list: centsToString(list), amount: centsToString(amount), discount: centsToString(list - amount) };
}

// ---- the generator --------------------------------------------------------------------------------

const scenarioArbitrary: fc.Arbitrary<Scenario> = fc
  .record({ year: fc.integer({ min: 2023, max: 2028 }), month: fc.integer({ min: 1, max: 12 }) })
  .chain(({ year, month }) => {
    const length = naiveDaysInMonth(year, month);
    const inMonth = (day: number): string => `${year}-${pad(month)}-${pad(day)}`;
    const next = month === 12 ? { y: year + 1, m: 1 } : { y: year, m: month + 1 };
    // a strictly increasing map of 0..length+3 onto dates around the month
    const point = (n: number): string => (n === 0 ? `${year - 1}-06-01` : n <= length ? inMonth(n) : `${next.y}-${pad(next.m)}-${pad(n - length)}`);
    // 2-decimal prices, including tiny and large ones
    const cents = fc.oneof(fc.bigInt({ min: 0n, max: 100n }), fc.bigInt({ min: 0n, max: 5_000_000n }));
    const versions = fc
      .tuple(cents, fc.uniqueArray(fc.tuple(fc.integer({ min: 1, max: length + 3 }), cents), { maxLength: 3, selector: ([n]) => n }))
      .map(([first, later]) => [[`${year - 1}-12-31`, first] as [string, bigint], ...later.map(([n, c]) => [point(n), c] as [string, bigint])]);
    const rate = fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 9999n }));
    // per scope, up to two non-overlapping discounts from sorted distinct cut points
    const scopeDiscounts = (productCode: string | null) =>
      fc
        .tuple(
          fc.uniqueArray(fc.integer({ min: 0, max: length + 3 }), { minLength: 0, maxLength: 4 }),
          fc.boolean(),
          rate,
          rate,
        )
        .map(([cuts, openEnd, r1, r2]) => {
          const sorted = [...cuts].sort((a, b) => a - b);
          const result: Scenario['discounts'] = [];
          if (sorted.length >= 2) result.push({ productCode, from: point(sorted[0]), to: point(sorted[1]), rate: r1 });
          if (sorted.length >= 3) {
            const to = sorted.length === 4 && !openEnd ? point(sorted[3]) : null;
            result.push({ productCode, from: point(sorted[2]), to, rate: r2 });
          }
          return result;
        });
    const day = fc.record({
      quantity: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 100_000 })),
      first: fc.constantFrom(...PRODUCTS),
      second: fc.option(fc.constantFrom(...PRODUCTS), { freq: 4 }),
      omit: fc.boolean(),
    });
    return fc.record({
      year: fc.constant(year),
      month: fc.constant(month),
      prices: fc.record({ p0: versions, p1: versions, p2: versions }),
      days: fc.array(day, { minLength: length, maxLength: length }).map((list) =>
        list.map((d, index) => ({
          day: index + 1,
          quantity: d.quantity,
          productCodes: d.second === null || d.second === d.first ? [d.first] : [d.first, d.second],
          omit: d.omit && d.quantity === 0,
        })),
      ),
      discounts: fc
        .tuple(scopeDiscounts(null), scopeDiscounts('p0'), scopeDiscounts('p1'), scopeDiscounts('p2'))
        .map((lists) => lists.flat()),
    });
  });

// ---- the engine, fed from the scenario --------------------------------------------------------------

function engineRating(scenario: Scenario): ReturnType<typeof rateSubscription> {
  const period = Period.of(scenario.year, scenario.month);
  const prices = PriceBook.fromVersions(
    Object.fromEntries(
      Object.entries(scenario.prices).map(([code, versions]) => [
        code,
        versions.map(([effectiveFrom, cents]) => ({ effectiveFrom, unitPrice: centsToString(cents), currency: 'USD' })),
      ]),
    ),
  );
  const discounts: Discount[] = scenario.discounts.map((d, index) => ({
    id: `dsc_${index}`,
    accountId: ACCOUNT,
    productCode: d.productCode,
    rate: Rate.parse(d.rate === 0n ? '0' : `0.${d.rate.toString().padStart(4, '0')}`),
    effectiveFrom: d.from,
    effectiveTo: d.to,
  }));
  const days: DailyUsage[] = scenario.days
    .filter((d) => !d.omit)
    .map((d) => ({ date: `${period.toString()}-${pad(d.day)}`, quantity: d.quantity, productCodes: d.productCodes }));
  return rateSubscription({
    period,
    daysInPeriod: naiveDaysInMonth(scenario.year, scenario.month),
    accountId: ACCOUNT,
    subscriptionId: 'sub_1',
    days,
    prices,
    discounts,
  });
}

describe('rating property (R4.1-R4.4, R5.2) against a naive BigInt-rational implementation', () => {
  it('R4.3/R4.4 listAmount, amount and discountAmount equal the exact rationals rounded half away from zero', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const expected = naiveRating(scenario);
        const line = engineRating(scenario);
        expect({
          quantityDays: line.quantityDays,
          list: line.listAmount.toString(),
          amount: line.amount.toString(),
          discount: line.discountAmount.toString(),
        }).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('#9.8 R4.2 editions sharing the highest price on a day take the largest of their discounts; the label is held last', () => {
    // prices drawn from two values so that two editions held on one day often share the highest one
    const tied = scenarioArbitrary.chain((scenario) =>
      fc.record({ p0: fc.constantFrom(1000n, 2000n), p1: fc.constantFrom(1000n, 2000n), p2: fc.constantFrom(1000n, 2000n) }).map(
        (cents): Scenario => ({
          ...scenario,
          prices: Object.fromEntries(Object.entries(cents).map(([code, value]) => [code, [[`${scenario.year - 1}-12-31`, value]]])),
        }),
      ),
    );
    fc.assert(
      fc.property(tied, (scenario) => {
        const expected = naiveRating(scenario);
        const line = engineRating(scenario);
        expect({
          quantityDays: line.quantityDays,
          list: line.listAmount.toString(),
          amount: line.amount.toString(),
          discount: line.discountAmount.toString(),
        }).toEqual(expected);
        const used = scenario.days.filter((day) => day.quantity > 0);
        if (used.length > 0) {
          const last = used[used.length - 1].productCodes;
          expect(line.productCode).toBe(last[last.length - 1]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('R4.4 the naive rounding itself rounds halves away from zero', () => {
    expect(roundHalfAwayFromZero(1005n, 1000n)).toBe(1n);
    expect(roundHalfAwayFromZero(5n, 10n)).toBe(1n);
    expect(roundHalfAwayFromZero(-5n, 10n)).toBe(-1n);
    expect(roundHalfAwayFromZero(4999n, 10000n)).toBe(0n);
    expect(centsToString(-5n)).toBe('-0.05');
    expect(centsToString(12345n)).toBe('123.45');
  });
});
