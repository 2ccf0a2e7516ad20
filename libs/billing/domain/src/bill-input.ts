import { billingCalendar, CalendarDate, Currency, Dec, Money, Period } from '@cec/kernel';
import type { BilledForPeriod } from './adjustment';
import type { BillDraft, DraftBillInput } from './bill-draft';
import { DiscountBook } from './discount';
import { dailyCharge, DailyUsage, SubscriptionUsageInput, UsageDays, usageDaysOf, usageSegments } from './rating';

/**
 * A run of consecutive days of one subscription with the same rating inputs (issue 10): the
 * quantity q(d) of R4.1, the products held, the unit price p(d) and discount rate r(d) of R4.2/R5.
 * Days with quantity 0 are left out: they charge nothing.
 */
export interface DayRunInput {
  /** First and last day of the run (UTC+8 calendar dates, inclusive). */
  readonly from: CalendarDate;
  readonly to: CalendarDate;
  readonly quantity: number;
  /** The products held those days, as metering sent them (the last one held last). */
  readonly products: readonly string[];
  /** The product whose price applies (the highest of the products held, R3.5). */
  readonly pricedProduct: string;
  /** p(d), exact decimal string. */
  readonly unitPrice: string;
  /** r(d), decimal string in [0, 1). */
  readonly rate: string;
}

/** What was billed for the month before an adjustment line (R6.2), as strings. */
export interface BilledInput {
  readonly quantityDays: number;
  readonly listAmount: string;
  readonly discountAmount: string;
  readonly amount: string;
}

/** The inputs of one bill line, in the bill's line order. */
export interface LineInput {
  readonly kind: 'usage' | 'adjustment';
  readonly subscriptionId: string;
  readonly forPeriod: string;
  /** D of R4.3. */
  readonly daysInPeriod: number;
  readonly runs: readonly DayRunInput[];
  /** Adjustment lines only: what was billed for (subscription, forPeriod) before this line. */
  readonly billed?: BilledInput;
}

/** A price version used by a bill (R1.3). */
export interface PriceVersionUsed {
  readonly productCode: string;
  readonly unitPrice: string;
  readonly effectiveFrom: CalendarDate;
  readonly currency: string;
}

/** The exact inputs a bill was rated from, kept with it (issue 10: explanation and audit). */
export interface BillInput {
  readonly version: 1;
  readonly currency: Currency;
  readonly lines: readonly LineInput[];
  /** Every price version some day of the bill was rated at, by product and effectiveFrom. */
  readonly prices: readonly PriceVersionUsed[];
}

function billedInput(billed: BilledForPeriod | undefined): BilledInput {
  return {
    quantityDays: billed?.quantityDays ?? 0,
    listAmount: billed?.listAmount.toString() ?? '0.00',
    discountAmount: billed?.discountAmount.toString() ?? '0.00',
    amount: billed?.amount.toString() ?? '0.00',
  };
}

function sameRun(a: DayRunInput, b: Omit<DayRunInput, 'from' | 'to'>): boolean {
  return (
    a.quantity === b.quantity &&
    a.pricedProduct === b.pricedProduct &&
    a.unitPrice === b.unitPrice &&
    a.rate === b.rate &&
    a.products.length === b.products.length &&
    a.products.every((code, index) => code === b.products[index])
  );
}

/**
 * The runs of one subscription's month, with the same p(d) and r(d) the rating uses
 * ({@link dailyCharge}); records the price versions used in `prices`.
 */
function dayRuns(
  input: DraftBillInput,
  discounts: DiscountBook,
  period: Period,
  subscriptionId: string,
  usage: UsageDays,
  prices: Map<string, PriceVersionUsed>,
): DayRunInput[] {
  // built in place (one object per run, not per day) and decimals turned to text once each: the
  // inputs of every bill of a run are made on its hot path (#11)
  const runs: Array<{ -readonly [K in keyof DayRunInput]: DayRunInput[K] }> = [];
  let previous: CalendarDate | null = null;
  // segments: every day of one rates as its first day (#11), so a segment is a run or part of one
  for (const segment of usageSegments(period, usage, subscriptionId, input.prices, discounts, input.accountId)) {
    if (segment.quantity === 0) continue;
    const day: DailyUsage = { date: segment.from, quantity: segment.quantity, productCodes: segment.productCodes };
    const charge = dailyCharge(input.prices, discounts, input.accountId, day, input.currency, subscriptionId);
    let pricedProduct = day.productCodes[day.productCodes.length - 1];
    for (const productCode of day.productCodes) {
      const version = input.prices.versionOn(productCode, day.date);
      if (!version) continue;
      const key = `${productCode}@${version.effectiveFrom}`;
      if (!prices.has(key)) {
        const unitPrice = textOf(version.unitPrice);
        prices.set(key, { productCode, unitPrice, effectiveFrom: version.effectiveFrom, currency: version.currency });
      }
      if (version.unitPrice.eq(charge.unitPrice)) pricedProduct = productCode;
    }
    const unitPrice = textOf(charge.unitPrice);
    const rate = textOf(charge.rate);
    const last = runs[runs.length - 1];
    if (
      last &&
      previous !== null &&
      billingCalendar.nextDate(previous) === day.date &&
      sameRun(last, { quantity: day.quantity, products: day.productCodes, pricedProduct, unitPrice, rate })
    ) {
      last.to = segment.to;
    } else {
      const products = [...day.productCodes];
      runs.push({ from: segment.from, to: segment.to, quantity: day.quantity, products, pricedProduct, unitPrice, rate });
    }
    previous = segment.to;
  }
  return runs;
}

/** The text of a decimal (immutable), made once per instance. */
const texts = new WeakMap<object, string>();
function textOf(value: { toString(): string }): string {
  let text = texts.get(value);
  if (text === undefined) {
    text = value.toString();
    texts.set(value, text);
  }
  return text;
}

function usageOf(subscriptions: readonly SubscriptionUsageInput[], subscriptionId: string): UsageDays {
  return usageDaysOf(subscriptions.find((subscription) => subscription.subscriptionId === subscriptionId));
}

/**
 * The inputs of every line of `draft`, drafted from `input` (issue 10): what the bill keeps so that
 * it can be explained and audited later without asking metering, the catalog or the discounts again.
 */
export function billInputOf(input: DraftBillInput, draft: BillDraft): BillInput {
  const discounts = input.discounts instanceof DiscountBook ? input.discounts : DiscountBook.of(input.discounts);
  const prices = new Map<string, PriceVersionUsed>();
  const lines = draft.lines.map((line): LineInput => {
    if (line.kind === 'usage') {
      return {
        kind: 'usage',
        subscriptionId: line.subscriptionId,
        forPeriod: line.forPeriod.toString(),
        daysInPeriod: line.daysInPeriod,
        runs: dayRuns(input, discounts, line.forPeriod, line.subscriptionId, usageOf(input.subscriptions, line.subscriptionId), prices),
      };
    }
    const month = input.reRated.find((entry) => entry.period.equals(line.forPeriod));
    return {
      kind: 'adjustment',
      subscriptionId: line.subscriptionId,
      forPeriod: line.forPeriod.toString(),
      daysInPeriod: line.daysInPeriod,
      runs: month ? dayRuns(input, discounts, month.period, line.subscriptionId, usageOf(month.subscriptions, line.subscriptionId), prices) : [],
      billed: billedInput(month?.billed.get(line.subscriptionId)),
    };
  });
  const sorted = [...prices.values()].sort((a, b) =>
    a.productCode !== b.productCode ? (a.productCode < b.productCode ? -1 : 1) : a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : 0,
  );
  return { version: 1, currency: input.currency, lines, prices: sorted };
}

// ---- explanation ----

/** Days of a line with equal (quantity, product, unit price, discount rate), and their sums. */
export interface ExplainedGroup {
  /** The ranges of consecutive days of the group. */
  readonly dates: readonly { readonly from: CalendarDate; readonly to: CalendarDate }[];
  readonly days: number;
  readonly quantity: number;
  readonly productCode: string;
  readonly unitPrice: Dec;
  readonly discountRate: Dec;
  /** quantity × days */
  readonly quantityDays: number;
  /** quantityDays × unitPrice: exact (a finite decimal). */
  readonly listSum: Dec;
  /** listSum × (1 − discountRate): exact (a finite decimal). */
  readonly netSum: Dec;
}

export interface ExplainedLine {
  readonly groups: readonly ExplainedGroup[];
  /** Σ quantityDays of the groups. */
  readonly quantityDays: number;
  /** Σ listSum / D and Σ netSum / D: the line's unrounded amounts (R4.3), to the kernel's precision. */
  readonly listExact: Dec;
  readonly netExact: Dec;
  /** The amounts R4.4 rounds them to (before subtracting what was billed, for an adjustment). */
  readonly listAmount: Money;
  readonly amount: Money;
}

function daysBetween(from: CalendarDate, to: CalendarDate): number {
  return Number(to.slice(8)) - Number(from.slice(8)) + 1;
}

/** Groups a line's runs by (quantity, product, unit price, rate), in order of first day, with exact sums. */
export function explainLineInput(line: LineInput, currency: Currency): ExplainedLine {
  const groups = new Map<string, { dates: { from: CalendarDate; to: CalendarDate }[]; days: number; run: DayRunInput }>();
  for (const run of line.runs) {
    const key = `${run.quantity}|${run.pricedProduct}|${run.unitPrice}|${run.rate}`;
    const group = groups.get(key) ?? { dates: [], days: 0, run };
    const last = group.dates[group.dates.length - 1];
    // runs split only by the products held (an edition-change day) are adjacent: one range
    if (last && billingCalendar.nextDate(last.to) === run.from) last.to = run.to;
    else group.dates.push({ from: run.from, to: run.to });
    group.days += daysBetween(run.from, run.to);
    groups.set(key, group);
  }
  let quantityDays = 0;
  let listSum = new Dec(0);
  let netSum = new Dec(0);
  const explained = [...groups.values()].map((group): ExplainedGroup => {
    const unitPrice = new Dec(group.run.unitPrice);
    const discountRate = new Dec(group.run.rate);
    const groupQuantityDays = group.run.quantity * group.days;
    const list = unitPrice.times(groupQuantityDays);
    const net = list.times(new Dec(1).minus(discountRate));
    quantityDays += groupQuantityDays;
    listSum = listSum.plus(list);
    netSum = netSum.plus(net);
    return {
      dates: group.dates,
      days: group.days,
      quantity: group.run.quantity,
      productCode: group.run.pricedProduct,
      unitPrice,
      discountRate,
      quantityDays: groupQuantityDays,
      listSum: list,
      netSum: net,
    };
  });
  const listExact = listSum.dividedBy(line.daysInPeriod);
  const netExact = netSum.dividedBy(line.daysInPeriod);
  return {
    groups: explained,
    quantityDays,
    listExact,
    netExact,
    listAmount: Money.round(listExact, currency),
    amount: Money.round(netExact, currency),
  };
}
