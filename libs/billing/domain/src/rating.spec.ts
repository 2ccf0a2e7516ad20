import { DomainError, Period, Rate } from '@cec/kernel';
import { createDiscount, Discount, DiscountBook } from './discount';
import { PriceBook } from './price-book';
import { DailyUsage, rateAccount, RateSubscriptionInput, rateSubscription } from './rating';

const ACCOUNT = 'acc_1';
const SUBSCRIPTION = 'sub_1';

function date(period: string, day: number): string {
  return `${period}-${String(day).padStart(2, '0')}`;
}

/** Daily usage for days `from..to` (inclusive) of a period, all with the same quantity and products. */
function usage(period: string, from: number, to: number, quantity: number, ...productCodes: string[]): DailyUsage[] {
  return Array.from({ length: to - from + 1 }, (_, index) => ({
    date: date(period, from + index),
    quantity,
    productCodes,
  }));
}

/** Replaces the usage of given days (by date) in a month of usage. */
function withDays(days: DailyUsage[], overrides: DailyUsage[]): DailyUsage[] {
  const byDate = new Map(overrides.map((day) => [day.date, day]));
  return days.map((day) => byDate.get(day.date) ?? day);
}

function prices(record: Record<string, Array<[effectiveFrom: string, unitPrice: string]>>): PriceBook {
  return PriceBook.fromVersions(
    Object.fromEntries(
      Object.entries(record).map(([code, versions]) => [
        code,
        versions.map(([effectiveFrom, unitPrice]) => ({ effectiveFrom, unitPrice, currency: 'USD' })),
      ]),
    ),
  );
}

function discount(
  id: string,
  productCode: string | null,
  rate: string,
  effectiveFrom: string,
  effectiveTo: string | null = null,
): Discount {
  return createDiscount({ id, accountId: ACCOUNT, productCode, rate, effectiveFrom, effectiveTo });
}

function rate(
  periodText: string,
  days: DailyUsage[],
  book: PriceBook,
  discounts: Discount[] = [],
): ReturnType<typeof rateSubscription> {
  const period = Period.parse(periodText);
  const input: RateSubscriptionInput = {
    period,
    daysInPeriod: new Date(Date.UTC(period.year, period.month, 0)).getUTCDate(),
    accountId: ACCOUNT,
    subscriptionId: SUBSCRIPTION,
    days,
    prices: book,
    discounts,
  };
  return rateSubscription(input);
}

function amounts(line: ReturnType<typeof rateSubscription>): Record<string, string | number | null> {
  return {
    quantityDays: line.quantityDays,
    daysInPeriod: line.daysInPeriod,
    listAmount: line.listAmount.toString(),
    discountAmount: line.discountAmount.toString(),
    amount: line.amount.toString(),
    productCode: line.productCode,
  };
}

describe('rating: worked examples (docs/billing-rules.md, E1-E7)', () => {
  it('E1 (R4.1, R4.3, R4.4): 6 agents from 2025-07-09 15:20 at 45.00 -> 138 quantity-days, 200.32', () => {
    const line = rate('2025-07', usage('2025-07', 9, 31, 6, 'basic-cec'), prices({ 'basic-cec': [['2025-01-01', '45.00']] }));
    expect(amounts(line)).toEqual({
      quantityDays: 138,
      daysInPeriod: 31,
      listAmount: '200.32',
      discountAmount: '0.00',
      amount: '200.32',
      productCode: 'basic-cec',
    });
    // exact list is 6210/31, rounded once at the end
    expect(line.listExact.times(31).toFixed(20)).toBe('6210.00000000000000000000');
    expect(line.netExact.equals(line.listExact)).toBe(true);
  });

  it('E2 (R2.3, R4.5): enabled 2025-08-31T16:00:00Z = Sep 1 00:00 UTC+8 -> no line in August, 45.00 in September', () => {
    const book = prices({ 'basic-cec': [['2025-01-01', '45.00']] });
    const august = rateAccount({
      period: Period.parse('2025-08'),
      daysInPeriod: 31,
      accountId: ACCOUNT,
      subscriptions: [{ subscriptionId: SUBSCRIPTION, days: [] }],
      prices: book,
      discounts: [],
    });
    expect(august.lines).toEqual([]);
    expect(august.billable).toBe(false);
    expect(august.total.toString()).toBe('0.00');

    const september = rate('2025-09', usage('2025-09', 1, 30, 1, 'basic-cec'), book);
    expect(amounts(september)).toMatchObject({ quantityDays: 30, daysInPeriod: 30, amount: '45.00', listAmount: '45.00' });
  });

  it('E3 (R4.1): 3 channels, 9 for five minutes on Nov 5 -> day 5 counts 9, 96 quantity-days, 64.00', () => {
    const days = withDays(usage('2025-11', 1, 30, 3, 'voice-chatbot'), usage('2025-11', 5, 5, 9, 'voice-chatbot'));
    const line = rate('2025-11', days, prices({ 'voice-chatbot': [['2025-01-01', '20.00']] }));
    expect(amounts(line)).toMatchObject({ quantityDays: 96, daysInPeriod: 30, listAmount: '64.00', amount: '64.00' });
  });

  it('E4 (R4.2, R5.1): account-wide 0.20 discount from 2025-06-16 -> list 300.00, discount 30.00, amount 270.00', () => {
    const line = rate(
      '2025-06',
      usage('2025-06', 1, 30, 10, 'professional-cec'),
      prices({ 'professional-cec': [['2025-01-01', '30.00']] }),
      [discount('dsc_1', null, '0.20', '2025-06-16')],
    );
    expect(amounts(line)).toMatchObject({
      quantityDays: 300,
      listAmount: '300.00',
      discountAmount: '30.00',
      amount: '270.00',
    });
  });

  it('E7 (R4.6): 10 agents from 2026-04-16 09:30 at 50.00 -> 150 quantity-days, 250.00; with 15 %: 212.50 and 37.50', () => {
    const book = prices({ 'basic-cec': [['2026-01-01', '50.00']] });
    const days = usage('2026-04', 16, 30, 10, 'basic-cec');
    expect(amounts(rate('2026-04', days, book))).toMatchObject({
      quantityDays: 150,
      daysInPeriod: 30,
      listAmount: '250.00',
      discountAmount: '0.00',
      amount: '250.00',
    });
    expect(amounts(rate('2026-04', days, book, [discount('dsc_1', 'basic-cec', '0.15', '2026-01-01')]))).toMatchObject({
      quantityDays: 150,
      listAmount: '250.00',
      discountAmount: '37.50',
      amount: '212.50',
    });
  });
});

describe('rating: R4.1 daily quantities', () => {
  it('R4.1 days with quantity 0 may be present or absent: same line', () => {
    const book = prices({ 'basic-cec': [['2026-01-01', '50.00']] });
    const absent = rate('2026-04', usage('2026-04', 16, 30, 10, 'basic-cec'), book);
    const present = rate(
      '2026-04',
      [...usage('2026-04', 1, 15, 0, 'basic-cec'), ...usage('2026-04', 16, 30, 10, 'basic-cec')],
      book,
    );
    expect(amounts(present)).toEqual(amounts(absent));
  });

  it('R4.1 days may come in any order', () => {
    const book = prices({ 'basic-cec': [['2026-01-01', '50.00']] });
    const days = usage('2026-04', 1, 30, 3, 'basic-cec');
    expect(amounts(rate('2026-04', [...days].reverse(), book))).toEqual(amounts(rate('2026-04', days, book)));
  });

  it('R4.1 refuses fractional or negative quantities, dates outside the period and duplicate dates', () => {
    const book = prices({ 'basic-cec': [['2026-01-01', '50.00']] });
    const bad: DailyUsage[][] = [
      [{ date: '2026-04-02', quantity: 1.5, productCodes: ['basic-cec'] }],
      [{ date: '2026-04-02', quantity: -1, productCodes: ['basic-cec'] }],
      [{ date: '2026-05-01', quantity: 1, productCodes: ['basic-cec'] }],
      [{ date: '2026-04-31', quantity: 1, productCodes: ['basic-cec'] }],
      [{ date: '2026-04-02', quantity: 1, productCodes: [] }],
      [...usage('2026-04', 2, 2, 1, 'basic-cec'), ...usage('2026-04', 2, 2, 1, 'basic-cec')],
    ];
    for (const days of bad) {
      expect(() => rate('2026-04', days, book)).toThrow(DomainError);
    }
  });

  it('R4.3 refuses a daysInPeriod that is not the length of the month', () => {
    expect(() =>
      rateSubscription({
        period: Period.parse('2026-02'),
        daysInPeriod: 30,
        accountId: ACCOUNT,
        subscriptionId: SUBSCRIPTION,
        days: [],
        prices: PriceBook.empty(),
        discounts: [],
      }),
    ).toThrow(/daysInPeriod must be 28/);
  });
});

describe('rating: R4.2 daily price (R1.3 price versions)', () => {
  it('R1.3/R4.2 a price change mid-month applies from its effectiveFrom day on', () => {
    // March 2025 (31 d), 2 agents all month: 30.00 on days 1-10, 36.00 on days 11-31
    const book = prices({ 'basic-cec': [['2024-12-01', '30.00'], ['2025-03-11', '36.00'], ['2025-04-01', '99.00']] });
    const line = rate('2025-03', usage('2025-03', 1, 31, 2, 'basic-cec'), book);
    // (10*2*30 + 21*2*36) / 31 = 2112 / 31 = 68.129...
    expect(amounts(line)).toMatchObject({ quantityDays: 62, listAmount: '68.13', amount: '68.13' });
  });

  it('R4.2 an edition upgrade mid-day charges the highest price that day, and its discount', () => {
    // April 2026 (30 d), 1 agent: Basic 45.00 on days 1-10, upgraded to Professional 60.00 on day 10
    const book = prices({ 'basic-cec': [['2026-01-01', '45.00']], 'professional-cec': [['2026-01-01', '60.00']] });
    const days = [
      ...usage('2026-04', 1, 9, 1, 'basic-cec'),
      ...usage('2026-04', 10, 10, 1, 'basic-cec', 'professional-cec'),
      ...usage('2026-04', 11, 30, 1, 'professional-cec'),
    ];
    // (9*45 + 21*60) / 30 = 1665 / 30 = 55.50
    expect(amounts(rate('2026-04', days, book))).toMatchObject({
      quantityDays: 30,
      listAmount: '55.50',
      amount: '55.50',
      productCode: 'professional-cec',
    });
    // the upgrade day is charged as Professional, so Professional's discount applies on day 10 too:
    // (9*45 + 21*60*0.5) / 30 = 1035 / 30 = 34.50
    const discounted = rate('2026-04', days, book, [discount('dsc_1', 'professional-cec', '0.5', '2026-01-01')]);
    expect(amounts(discounted)).toMatchObject({ listAmount: '55.50', discountAmount: '21.00', amount: '34.50' });
  });

  it('R4.2 a downgrade mid-day still charges the higher (earlier) edition that day', () => {
    const book = prices({ 'basic-cec': [['2026-01-01', '45.00']], 'advanced-cec': [['2026-01-01', '90.00']] });
    const days = [...usage('2026-04', 1, 1, 2, 'advanced-cec', 'basic-cec'), ...usage('2026-04', 2, 2, 2, 'basic-cec')];
    // (2*90 + 2*45) / 30 = 9.00; the line names the product held at the end
    expect(amounts(rate('2026-04', days, book))).toMatchObject({ listAmount: '9.00', productCode: 'basic-cec' });
  });

  it('#9.8 R4.2 two editions held on one day at equal prices: the discount is the largest of theirs, in any order', () => {
    // April 2026 (30 d), 3 agents on day 10 as basic then advanced, both 60.00; only basic is discounted (40 %)
    const book = prices({ 'basic-cec': [['2026-01-01', '60.00']], 'advanced-cec': [['2026-01-01', '60.00']] });
    const discounts = [discount('dsc_b', 'basic-cec', '0.4', '2026-01-01'), discount('dsc_a', 'advanced-cec', '0.1', '2026-01-01')];
    for (const held of [['basic-cec', 'advanced-cec'], ['advanced-cec', 'basic-cec']]) {
      const line = rate('2026-04', usage('2026-04', 10, 10, 3, ...held), book, discounts);
      // list 3*60/30 = 6.00; net 3*60*(1-0.4)/30 = 3.60, whichever edition came first or last
      expect(amounts(line)).toMatchObject({ quantityDays: 3, listAmount: '6.00', discountAmount: '2.40', amount: '3.60' });
    }
    // an all-products discount larger than one edition's own: each edition takes its own (R5.2),
    // and the day takes the largest of the two (0.3 via all-products for advanced, 0.2 for basic)
    const mixed = [discount('dsc_b2', 'basic-cec', '0.2', '2026-01-01'), discount('dsc_all', null, '0.3', '2026-01-01')];
    const line = rate('2026-04', usage('2026-04', 10, 10, 3, 'basic-cec', 'advanced-cec'), book, mixed);
    expect(amounts(line)).toMatchObject({ listAmount: '6.00', amount: '4.20' });
  });

  it('#9.8 a higher price still wins over a larger discount of a cheaper edition held the same day (R4.2)', () => {
    const book = prices({ 'basic-cec': [['2026-01-01', '30.00']], 'advanced-cec': [['2026-01-01', '60.00']] });
    const discounts = [discount('dsc_b', 'basic-cec', '0.5', '2026-01-01')];
    const line = rate('2026-04', usage('2026-04', 10, 10, 1, 'advanced-cec', 'basic-cec'), book, discounts);
    expect(amounts(line)).toMatchObject({ listAmount: '2.00', discountAmount: '0.00', amount: '2.00' });
  });

  it('#9.8 the line is labelled with the product held last in the month, by time, not alphabetically', () => {
    const book = prices({ 'basic-cec': [['2026-01-01', '45.00']], 'professional-cec': [['2026-01-01', '60.00']] });
    // a downgrade from professional to basic on the last day: basic is held at the end of the period
    const downgrade = [...usage('2026-04', 1, 29, 1, 'professional-cec'), ...usage('2026-04', 30, 30, 1, 'professional-cec', 'basic-cec')];
    expect(rate('2026-04', downgrade, book).productCode).toBe('basic-cec');
    // an upgrade on the last day: professional is held at the end
    const upgrade = [...usage('2026-04', 1, 29, 1, 'basic-cec'), ...usage('2026-04', 30, 30, 1, 'basic-cec', 'professional-cec')];
    expect(rate('2026-04', upgrade, book).productCode).toBe('professional-cec');
    // cancelled on day 20 after an upgrade on day 10: the last product with a quantity above 0
    const cancelled = [
      ...usage('2026-04', 1, 9, 2, 'professional-cec'),
      ...usage('2026-04', 10, 10, 2, 'professional-cec', 'basic-cec'),
      ...usage('2026-04', 11, 20, 2, 'basic-cec'),
      ...usage('2026-04', 21, 30, 0, 'basic-cec'),
    ];
    expect(rate('2026-04', cancelled, book).productCode).toBe('basic-cec');
  });

  it('R1.3/R4.2 a day without a price in force is refused with PRICE_NOT_FOUND naming product and date', () => {
    const book = prices({ 'basic-cec': [['2026-04-10', '45.00']] });
    const attempt = (): unknown => rate('2026-04', usage('2026-04', 8, 12, 1, 'basic-cec'), book);
    expect(attempt).toThrow(DomainError);
    expect(attempt).toThrow(/basic-cec.*2026-04-08/);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ code: 'PRICE_NOT_FOUND' });
    }
    expect(() => rate('2026-04', usage('2026-04', 1, 1, 1, 'no-such-product'), book)).toThrow(/no-such-product.*2026-04-01/);
  });

  it('R4.2 a product without price on a day with quantity 0 is not an error', () => {
    const line = rate('2026-04', usage('2026-04', 1, 30, 0, 'no-such-product'), PriceBook.empty());
    expect(amounts(line)).toMatchObject({ quantityDays: 0, amount: '0.00', productCode: 'no-such-product' });
  });
});

describe('rating: R4.2/R5 discounts', () => {
  it('R5.2 a product discount beats an all-products one while it is in force; the range end is exclusive', () => {
    // April 2026 (30 d), 1 agent at 30.00 all month; 10 % on all products all along; 25 % on
    // professional-cec over [Apr 11, Apr 21): net = (20*30*0.9 + 10*30*0.75)/30 = 25.50
    const book = prices({ 'professional-cec': [['2026-01-01', '30.00']], 'basic-cec': [['2026-01-01', '15.00']] });
    const discounts = [
      discount('dsc_all', null, '0.10', '2026-01-01'),
      discount('dsc_pro', 'professional-cec', '0.25', '2026-04-11', '2026-04-21'),
    ];
    const result = rateAccount({
      period: Period.parse('2026-04'),
      daysInPeriod: 30,
      accountId: ACCOUNT,
      subscriptions: [
        { subscriptionId: 'sub_pro', days: usage('2026-04', 1, 30, 1, 'professional-cec') },
        { subscriptionId: 'sub_basic', days: usage('2026-04', 1, 30, 2, 'basic-cec') },
      ],
      prices: book,
      discounts,
    });
    expect(result.lines.map(amounts)).toEqual([
      { quantityDays: 30, daysInPeriod: 30, listAmount: '30.00', discountAmount: '4.50', amount: '25.50', productCode: 'professional-cec' },
      // the basic subscription only gets the all-products 10 %
      { quantityDays: 60, daysInPeriod: 30, listAmount: '30.00', discountAmount: '3.00', amount: '27.00', productCode: 'basic-cec' },
    ]);
    expect(result.total.toString()).toBe('52.50');
  });

  it('R5.1 discounts of other accounts are ignored', () => {
    const book = prices({ 'basic-cec': [['2026-01-01', '30.00']] });
    const other: Discount = { ...discount('dsc_x', null, '0.5', '2026-01-01'), accountId: 'acc_other' };
    expect(rate('2026-04', usage('2026-04', 1, 30, 1, 'basic-cec'), book, [other]).amount.toString()).toBe('30.00');
  });

  it('R5.1 a 4-decimal rate is applied exactly before the single rounding', () => {
    // 1 agent, 31 days at 100.00, 12.34 % on days 1-15 then 12.35 %
    const line = rate('2025-07', usage('2025-07', 1, 31, 1, 'basic-cec'), prices({ 'basic-cec': [['2025-01-01', '100.00']] }), [
      discount('dsc_1', null, '0.1234', '2025-01-01', '2025-07-16'),
      discount('dsc_2', null, '0.1235', '2025-07-16'),
    ]);
    // (15*100*0.8766 + 16*100*0.8765) / 31 = (1314.9 + 1402.4) / 31 = 87.6548387...
    expect(line.netExact.toDecimalPlaces(7).toString()).toBe('87.6548387');
    expect(amounts(line)).toMatchObject({ listAmount: '100.00', amount: '87.65', discountAmount: '12.35' });
  });
});

describe('rating: R4.4 rounding once, to cents, half away from zero', () => {
  it('R4.4 a list of exactly 1.005 rounds to 1.01 (binary floating point would give 1.00)', () => {
    // 3 agents for one day at 10.05, April (30 d): 30.15 / 30 = 1.005
    const line = rate('2026-04', usage('2026-04', 7, 7, 3, 'basic-cec'), prices({ 'basic-cec': [['2026-01-01', '10.05']] }));
    expect(line.listExact.toString()).toBe('1.005');
    expect(amounts(line)).toMatchObject({ listAmount: '1.01', amount: '1.01', discountAmount: '0.00' });
    expect(Math.round(1.005 * 100) / 100).toBe(1); // what a float would have charged
  });

  it('R4.4 half a cent rounds up: 0.15 for one day of a 30-day month is 0.005 -> 0.01', () => {
    const line = rate('2026-04', usage('2026-04', 1, 1, 1, 'text-chatbot'), prices({ 'text-chatbot': [['2026-01-01', '0.15']] }));
    expect(amounts(line)).toMatchObject({ listAmount: '0.01', amount: '0.01' });
  });

  it('R4.4 a net of exactly 0.505 rounds to 0.51', () => {
    // 1 agent for one day at 30.00 (list 1.00) with 49.5 % off: net = 0.505
    const line = rate('2026-04', usage('2026-04', 3, 3, 1, 'basic-cec'), prices({ 'basic-cec': [['2026-01-01', '30.00']] }), [
      discount('dsc_1', 'basic-cec', '0.4950', '2026-04-01', '2026-05-01'),
    ]);
    expect(line.netExact.toString()).toBe('0.505');
    expect(amounts(line)).toMatchObject({ listAmount: '1.00', amount: '0.51', discountAmount: '0.49' });
  });

  it('R4.4 list and net are each rounded once; discountAmount is their difference', () => {
    // list = 1.005 -> 1.01; net = 1.005 * 0.5 = 0.5025 -> 0.50; discount = 0.51 (not round(0.5025) = 0.50)
    const line = rate('2026-04', usage('2026-04', 7, 7, 3, 'basic-cec'), prices({ 'basic-cec': [['2026-01-01', '10.05']] }), [
      discount('dsc_1', null, '0.5', '2026-01-01'),
    ]);
    expect(amounts(line)).toMatchObject({ listAmount: '1.01', amount: '0.50', discountAmount: '0.51' });
  });

  it('R4.4 sums are not rounded per day: 31 days of 1 agent at 10.00 is exactly 10.00', () => {
    const line = rate('2025-07', usage('2025-07', 1, 31, 1, 'basic-cec'), prices({ 'basic-cec': [['2025-01-01', '10.00']] }));
    expect(line.listExact.toString()).toBe('10');
    expect(line.listAmount.toString()).toBe('10.00');
  });
});

describe('rating: R4.5 an account month', () => {
  const book = prices({ 'basic-cec': [['2026-01-01', '50.00']], 'voice-chatbot': [['2026-01-01', '20.00']] });

  it('R4.5 keeps one line per subscription with quantityDays > 0; total is the sum of the amounts', () => {
    const result = rateAccount({
      period: Period.parse('2026-04'),
      daysInPeriod: 30,
      accountId: ACCOUNT,
      subscriptions: [
        { subscriptionId: 'sub_a', accountId: ACCOUNT, days: usage('2026-04', 16, 30, 10, 'basic-cec') },
        { subscriptionId: 'sub_idle', days: usage('2026-04', 1, 30, 0, 'basic-cec') },
        { subscriptionId: 'sub_b', days: usage('2026-04', 1, 30, 3, 'voice-chatbot') },
      ],
      prices: book,
      discounts: [discount('dsc_1', 'basic-cec', '0.15', '2026-01-01')],
    });
    expect(result.lines.map((line) => [line.subscriptionId, line.amount.toString()])).toEqual([
      ['sub_a', '212.50'],
      ['sub_b', '60.00'],
    ]);
    expect(result.total.toString()).toBe('272.50');
    expect(result.billable).toBe(true);
    expect(result.lines.every((line) => line.kind === 'usage' && line.forPeriod.toString() === '2026-04')).toBe(true);
  });

  it('R4.5 refuses a subscription of another account and a subscription listed twice', () => {
    const base = { period: Period.parse('2026-04'), daysInPeriod: 30, accountId: ACCOUNT, prices: book, discounts: [] };
    expect(() => rateAccount({ ...base, subscriptions: [{ subscriptionId: 's', accountId: 'acc_2', days: [] }] })).toThrow(
      /belongs to account acc_2/,
    );
    expect(() =>
      rateAccount({ ...base, subscriptions: [{ subscriptionId: 's', days: [] }, { subscriptionId: 's', days: [] }] }),
    ).toThrow(/listed twice/);
  });

  it('R5.1 rating accepts the discounts as a list or as a DiscountBook alike', () => {
    const list = [discount('dsc_1', null, '0.15', '2026-01-01')];
    expect(list[0].rate.equals(Rate.parse('0.15'))).toBe(true);
    const input = {
      period: Period.parse('2026-04'),
      daysInPeriod: 30,
      accountId: ACCOUNT,
      subscriptionId: SUBSCRIPTION,
      days: usage('2026-04', 16, 30, 10, 'basic-cec'),
      prices: book,
    };
    expect(rateSubscription({ ...input, discounts: list }).amount.toString()).toBe('212.50');
    expect(rateSubscription({ ...input, discounts: DiscountBook.of(list) }).amount.toString()).toBe('212.50');
  });
});
