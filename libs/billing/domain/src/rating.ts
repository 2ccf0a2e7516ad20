import { billingCalendar, CalendarDate, Currency, Dec, DomainError, Money, Period, Rate } from '@cec/kernel';
import { Discount, DiscountBook } from './discount';
import { PriceBook } from './price-book';

/** q(d) of R4.1 and the products held that day (the shape of the contracts' `DailyUsageMessage`). */
export interface DailyUsage {
  readonly date: CalendarDate;
  /** The largest quantity in force during the day: a whole number >= 0. */
  readonly quantity: number;
  /**
   * Products held that day with a quantity above 0 (more than one on an edition-change day, R3.5),
   * ordered by the last instant each was held: the last one is the product held at the end of the
   * day's usage (metering sends them so; #9.8). The order plays no part in the amounts (R4.2).
   */
  readonly productCodes: readonly string[];
}

/**
 * Consecutive days of one subscription with the same quantity and products (the shape of the
 * contracts' `DailyUsageRun`): how metering sends a month, one to a few runs instead of ~31 days.
 */
export interface UsageRun {
  /** First and last day of the run (inclusive, dates of the period). */
  readonly from: CalendarDate;
  readonly to: CalendarDate;
  /** The quantity of each of its days: a whole number >= 0. */
  readonly quantity: number;
  /** The products held each of its days (as {@link DailyUsage.productCodes}). */
  readonly productCodes: readonly string[];
}

/** A month of one subscription's usage: one entry per day, or runs of equal days (#11). */
export type UsageDays = { readonly days: readonly DailyUsage[]; readonly runs?: undefined } | { readonly runs: readonly UsageRun[]; readonly days?: undefined };

export type RateSubscriptionInput = RateSubscriptionFields & UsageDays;

interface RateSubscriptionFields {
  readonly period: Period;
  /** D of R4.3; must be the number of days of `period`. */
  readonly daysInPeriod: number;
  readonly accountId: string;
  readonly subscriptionId: string;
  // and `days` (daily quantities of the month; days with quantity 0 may be absent) or `runs`
  readonly prices: PriceBook;
  /** The account's discounts (discounts of other accounts are ignored). */
  readonly discounts: DiscountBook | readonly Discount[];
  /** Currency of the line; every price used must be in it. Default USD. */
  readonly currency?: Currency;
}

/** A rated bill line of one subscription for one month (R4.4). */
export interface RatedLine {
  readonly kind: 'usage';
  readonly accountId: string;
  readonly subscriptionId: string;
  /** The month the line charges. */
  readonly forPeriod: Period;
  /**
   * The line's label (#9.8): the product held last in the month with a quantity above zero, by
   * time — the last of the products of the last day with a quantity above zero (see
   * {@link DailyUsage.productCodes}), so after an edition change it is the edition held at the end
   * of the period. When no day has a quantity above zero, the last product of the last day listed;
   * null only when no day names a product.
   */
  readonly productCode: string | null;
  /** sum_d q(d) */
  readonly quantityDays: number;
  /** D */
  readonly daysInPeriod: number;
  /** list = sum_d q(d) p(d) / D, exact (to the kernel's 60 significant digits). */
  readonly listExact: Dec;
  /** net = sum_d q(d) p(d) (1 - r(d)) / D, exact likewise. */
  readonly netExact: Dec;
  readonly listAmount: Money;
  readonly discountAmount: Money;
  readonly amount: Money;
  readonly currency: Currency;
}

function toDiscountBook(discounts: DiscountBook | readonly Discount[]): DiscountBook {
  return discounts instanceof DiscountBook ? discounts : DiscountBook.of(discounts);
}

function assertDaysInPeriod(period: Period, daysInPeriod: number): void {
  const expected = billingCalendar.daysInPeriod(period);
  if (daysInPeriod !== expected) {
    throw DomainError.validation(`daysInPeriod must be ${expected} for ${period.toString()}, not ${daysInPeriod}`);
  }
}

/** Checks and orders a month of daily usage: dates of the period, once each; whole quantities. */
const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export function validatedDays(period: Period, days: readonly DailyUsage[], subscriptionId: string): DailyUsage[] {
  const prefix = `${period.toString()}-`;
  const daysInPeriod = billingCalendar.daysInPeriod(period);
  const seen = new Set<CalendarDate>();
  days.forEach((day, index) => {
    const field = `subscription ${subscriptionId} days[${index}]`;
    // a date of the period: `YYYY-MM-` of the period and a day 1..D (no calendar object per day)
    const date = typeof day.date === 'string' ? day.date : '';
    const dayOfMonth = DAY_PATTERN.test(date) ? Number(date.slice(8)) : 0;
    if (!date.startsWith(prefix) || dayOfMonth < 1 || dayOfMonth > daysInPeriod) {
      if (dayOfMonth === 0) billingCalendar.parseDate(day.date, `${field}.date`);
      throw DomainError.validation(`${field}.date ${date} is not in ${period.toString()}`);
    }
    if (seen.has(date)) {
      throw DomainError.validation(`${field}.date ${date} appears twice`);
    }
    seen.add(date);
    if (!Number.isSafeInteger(day.quantity) || day.quantity < 0) {
      throw DomainError.validation(`${field}.quantity must be a whole number >= 0`);
    }
    if (day.quantity > 0 && day.productCodes.length === 0) {
      throw DomainError.validation(`${field}.productCodes must name the product held on ${date}`);
    }
  });
  return [...days].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/**
 * Checks and orders a month of usage runs like {@link validatedDays} checks days: every day of a
 * run a date of the period, no day in two runs, whole quantities, products named when used.
 */
export function validatedRuns(period: Period, runs: readonly UsageRun[], subscriptionId: string): UsageRun[] {
  const prefix = `${period.toString()}-`;
  const daysInPeriod = billingCalendar.daysInPeriod(period);
  const dayOf = (value: unknown, field: string): number => {
    const date = typeof value === 'string' ? value : '';
    const dayOfMonth = DAY_PATTERN.test(date) ? Number(date.slice(8)) : 0;
    if (!date.startsWith(prefix) || dayOfMonth < 1 || dayOfMonth > daysInPeriod) {
      if (dayOfMonth === 0) billingCalendar.parseDate(value, field);
      throw DomainError.validation(`${field} ${date} is not in ${period.toString()}`);
    }
    return dayOfMonth;
  };
  runs.forEach((run, index) => {
    const field = `subscription ${subscriptionId} runs[${index}]`;
    const from = dayOf(run.from, `${field}.from`);
    const to = dayOf(run.to, `${field}.to`);
    if (to < from) throw DomainError.validation(`${field}.to ${run.to} is before its from ${run.from}`);
    if (!Number.isSafeInteger(run.quantity) || run.quantity < 0) {
      throw DomainError.validation(`${field}.quantity must be a whole number >= 0`);
    }
    if (run.quantity > 0 && run.productCodes.length === 0) {
      throw DomainError.validation(`${field}.productCodes must name the product held from ${run.from} to ${run.to}`);
    }
  });
  const sorted = [...runs].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  for (let index = 1; index < sorted.length; index += 1) {
    if (sorted[index].from <= sorted[index - 1].to) {
      throw DomainError.validation(`subscription ${subscriptionId} runs: ${sorted[index].from} appears twice`);
    }
  }
  return sorted;
}

/**
 * Consecutive days of a subscription's month on which q(d), the products held, p(d) and r(d) are
 * all the same (#11): a run is cut only where a price version of one of its products takes effect
 * or a discount of the account for one of them (or for all products) starts or ends, so every day
 * of a segment rates exactly as its first day. Ordered by date; quantity-0 segments included.
 */
export interface UsageSegment {
  readonly from: CalendarDate;
  readonly to: CalendarDate;
  /** The number of days from `from` to `to`. */
  readonly days: number;
  readonly quantity: number;
  readonly productCodes: readonly string[];
}

const pad2 = (value: number): string => (value < 10 ? `0${value}` : String(value));

/** The validated month of usage (days or runs) as {@link UsageSegment}s, in date order. */
export function usageSegments(
  period: Period,
  usage: UsageDays,
  subscriptionId: string,
  prices: PriceBook,
  discounts: DiscountBook,
  accountId: string,
): UsageSegment[] {
  if (usage.runs === undefined) {
    return validatedDays(period, usage.days, subscriptionId).map((day) => ({
      from: day.date,
      to: day.date,
      days: 1,
      quantity: day.quantity,
      productCodes: day.productCodes,
    }));
  }
  const prefix = `${period.toString()}-`;
  const segments: UsageSegment[] = [];
  const cuts: CalendarDate[] = [];
  for (const run of validatedRuns(period, usage.runs, subscriptionId)) {
    const first = Number(run.from.slice(8));
    const last = Number(run.to.slice(8));
    cuts.length = 0;
    if (run.quantity > 0 && first < last) {
      for (const productCode of run.productCodes) {
        prices.changesWithin(productCode, run.from, run.to, cuts);
        discounts.changesWithin(accountId, productCode, run.from, run.to, cuts);
      }
    }
    if (cuts.length === 0) {
      segments.push({ from: run.from, to: run.to, days: last - first + 1, quantity: run.quantity, productCodes: run.productCodes });
      continue;
    }
    const starts = [...new Set(cuts.map((date) => Number(date.slice(8))))].sort((a, b) => a - b);
    let start = first;
    for (const cut of [...starts, last + 1]) {
      segments.push({
        from: start === first ? run.from : `${prefix}${pad2(start)}`,
        to: cut === last + 1 ? run.to : `${prefix}${pad2(cut - 1)}`,
        days: cut - start,
        quantity: run.quantity,
        productCodes: run.productCodes,
      });
      start = cut;
    }
  }
  return segments;
}

export interface DailyCharge {
  readonly unitPrice: Dec;
  readonly rate: Rate;
}

/**
 * p(d) and r(d) of R4.2: the price in force that day (R1.3) of the product held; of several
 * editions held that day, the highest of their prices, and the discount (R5) of the edition with
 * that price — where several held editions share that highest price, the largest of their
 * discounts (#9.8). A product without a price in the line's currency is an error: nothing is
 * billed at an unknown price.
 */
export function dailyCharge(
  prices: PriceBook,
  discounts: DiscountBook,
  accountId: string,
  day: DailyUsage,
  currency: Currency,
  subscriptionId: string,
): DailyCharge {
  let unitPrice: Dec | undefined;
  let top: string[] = [];
  for (const productCode of day.productCodes) {
    const version = prices.versionOn(productCode, day.date);
    if (!version || version.currency !== currency) {
      throw new DomainError(
        'PRICE_NOT_FOUND',
        `no ${currency} price of product ${productCode} is in force on ${day.date} (subscription ${subscriptionId})`,
      );
    }
    if (unitPrice === undefined || version.unitPrice.gt(unitPrice)) {
      unitPrice = version.unitPrice;
      top = [productCode];
    } else if (version.unitPrice.eq(unitPrice)) {
      top.push(productCode);
    }
  }
  if (unitPrice === undefined) {
    throw DomainError.validation(`no product held on ${day.date} (subscription ${subscriptionId})`);
  }
  let rate = discounts.rateOn(accountId, top[0], day.date);
  for (const productCode of top.slice(1)) {
    const other = discounts.rateOn(accountId, productCode, day.date);
    if (other.value.gt(rate.value)) rate = other;
  }
  return { unitPrice, rate };
}

/**
 * Rates one subscription for one month (R4.1-R4.4; discounts R5): sums q(d) p(d) and
 * q(d) p(d) (1 - r(d)) exactly, divides once by D, and rounds each total once to cents, half away
 * from zero. A pure function of its input.
 */
export function rateSubscription(input: RateSubscriptionInput): RatedLine {
  const { period, daysInPeriod, accountId, subscriptionId, prices } = input;
  const currency = input.currency ?? 'USD';
  assertDaysInPeriod(period, daysInPeriod);
  const discounts = toDiscountBook(input.discounts);
  // days, or runs of days cut where p(d) or r(d) may change (#11): every day of a segment rates
  // as its first day, so a segment counts as its quantity times its days
  const segments = usageSegments(period, input, subscriptionId, prices, discounts, accountId);

  // Days with the same unit price and discount rate are summed as whole quantities first, so a
  // month costs a handful of exact decimal operations rather than several per day.
  const groups = new Map<Dec, Map<string, { complement: Dec; quantity: number }>>();
  let quantityDays = 0;
  let productCode: string | null = null;
  for (const segment of segments) {
    if (segment.quantity === 0) {
      continue;
    }
    const day: DailyUsage = { date: segment.from, quantity: segment.quantity, productCodes: segment.productCodes };
    const charge = dailyCharge(prices, discounts, accountId, day, currency, subscriptionId);
    const rate: Rate = charge.rate;
    let byRate = groups.get(charge.unitPrice);
    if (!byRate) {
      byRate = new Map();
      groups.set(charge.unitPrice, byRate);
    }
    const quantity = segment.quantity * segment.days;
    const rateKey = rate.toString();
    const group = byRate.get(rateKey);
    if (group) group.quantity += quantity;
    else byRate.set(rateKey, { complement: rate.complement(), quantity });
    quantityDays += quantity;
    productCode = segment.productCodes[segment.productCodes.length - 1];
  }
  let listSum = new Dec(0);
  let netSum = new Dec(0);
  for (const [unitPrice, byRate] of groups) {
    for (const group of byRate.values()) {
      const list = unitPrice.times(group.quantity);
      listSum = listSum.plus(list);
      netSum = netSum.plus(list.times(group.complement));
    }
  }
  if (productCode === null) {
    const named = segments.filter((segment) => segment.productCodes.length > 0);
    const last = named[named.length - 1];
    productCode = last ? last.productCodes[last.productCodes.length - 1] : null;
  }

  const listExact = listSum.dividedBy(daysInPeriod);
  const netExact = netSum.dividedBy(daysInPeriod);
  const listAmount = Money.round(listExact, currency);
  const amount = Money.round(netExact, currency);
  return {
    kind: 'usage',
    accountId,
    subscriptionId,
    forPeriod: period,
    productCode,
    quantityDays,
    daysInPeriod,
    listExact,
    netExact,
    listAmount,
    discountAmount: listAmount.minus(amount),
    amount,
    currency,
  };
}

/** One subscription's month of usage, one entry per day. */
export interface SubscriptionUsage {
  readonly subscriptionId: string;
  /** When given, must be the account being rated. */
  readonly accountId?: string;
  readonly days: readonly DailyUsage[];
}

/** One subscription's month of usage as runs of equal days (the contracts' `SubscriptionUsageMessage`, #11). */
export interface SubscriptionRuns {
  readonly subscriptionId: string;
  /** When given, must be the account being rated. */
  readonly accountId?: string;
  readonly runs: readonly UsageRun[];
}

/** A subscription's month of usage, by day or by run: both rate to exactly the same amounts. */
export type SubscriptionUsageInput = SubscriptionUsage | SubscriptionRuns;

/** The usage of a subscription's month (days or runs), absent: none. */
export function usageDaysOf(subscription: SubscriptionUsageInput | undefined): UsageDays {
  if (subscription === undefined) return { days: [] };
  return 'runs' in subscription ? { runs: subscription.runs } : { days: subscription.days };
}

export interface RateAccountInput {
  readonly period: Period;
  readonly daysInPeriod: number;
  readonly accountId: string;
  readonly subscriptions: readonly SubscriptionUsageInput[];
  readonly prices: PriceBook;
  readonly discounts: DiscountBook | readonly Discount[];
  readonly currency?: Currency;
}

/** An account's rated month (R4.5). */
export interface RatedAccount {
  readonly accountId: string;
  readonly forPeriod: Period;
  readonly currency: Currency;
  /** One line per subscription with quantityDays > 0, in input order. */
  readonly lines: readonly RatedLine[];
  /** Sum of the lines' amounts. */
  readonly total: Money;
  /** False when there is no line: the account gets no bill for the month (R4.5). */
  readonly billable: boolean;
}

/** Sum of the `amount` of lines (R4.5: a bill's total is the sum of its lines' amounts). */
export function sumAmounts(lines: readonly { readonly amount: Money }[], currency: Currency = 'USD'): Money {
  return lines.reduce((total, line) => total.plus(line.amount), Money.zero(currency));
}

/** Rates every subscription of one account for a month and keeps the lines with quantityDays > 0 (R4.5). */
export function rateAccount(input: RateAccountInput): RatedAccount {
  const currency = input.currency ?? 'USD';
  const discounts = toDiscountBook(input.discounts);
  const seen = new Set<string>();
  const lines: RatedLine[] = [];
  for (const subscription of input.subscriptions) {
    if (subscription.accountId !== undefined && subscription.accountId !== input.accountId) {
      throw DomainError.validation(
        `subscription ${subscription.subscriptionId} belongs to account ${subscription.accountId}, not ${input.accountId}`,
      );
    }
    if (seen.has(subscription.subscriptionId)) {
      throw DomainError.validation(`subscription ${subscription.subscriptionId} is listed twice`);
    }
    seen.add(subscription.subscriptionId);
    const line = rateSubscription({
      period: input.period,
      daysInPeriod: input.daysInPeriod,
      accountId: input.accountId,
      subscriptionId: subscription.subscriptionId,
      ...usageDaysOf(subscription),
      prices: input.prices,
      discounts,
      currency,
    });
    if (line.quantityDays > 0) {
      lines.push(line);
    }
  }
  return {
    accountId: input.accountId,
    forPeriod: input.period,
    currency,
    lines,
    total: sumAmounts(lines, currency),
    billable: lines.length > 0,
  };
}
