import { BillingCalendar, billingCalendar, CalendarDate, Period } from '@cec/kernel';

/**
 * The quantity (and product) a subscription has in force over time (R3.2, R3.4), and the daily
 * quantities of a month derived from it (R4.1).
 *
 * Semantics, decided once here and relied on by rating:
 * 1. Instants are whole epoch seconds (R2.2). A point takes effect at its instant: the value in
 *    force at t is decided by the points with `at <= t`.
 * 2. Activity comes from subscription state points only: the subscription is active at t when the
 *    latest state point with `at <= t` has status `active`. Before the first state point (before
 *    enabling) and from a `cancelled` state point on (cancelledAt itself included) it is inactive,
 *    and an inactive subscription has quantity 0 and no product (R3.2): a usage event reported
 *    before enabling or after cancelling counts 0 there, whatever it says.
 * 3. While active, the quantity in force is the quantity of the latest point of either kind with
 *    `at <= t` (R3.4: the newest report by event time wins, whatever the order of arrival). A state
 *    point carries the full state, so a later subscription change (also an edition change) sets
 *    the quantity again, and a usage event reported before enabling has no effect after it.
 * 4. Ties at one instant are ordered, independent of arrival: state points first (by `sequence`),
 *    then usage events (by `eventId`, code-point order); the last one wins. So a usage event at the
 *    very instant of a subscription change overrides the change's quantity (it reports what is in
 *    use from that instant), and only the final value of an instant is ever in force there:
 *    intermediate values of one instant last zero seconds and never count.
 * 5. The product in force comes from state points only (R3.5): the `productCode` of the latest
 *    state point with `at <= t`.
 */

/** Whole seconds since 1970-01-01T00:00:00Z. */
export type EpochSeconds = number;

export type TimelineStatus = 'active' | 'cancelled';

/** A subscription change (`subscription.changed`): the full state from `at` on. */
export interface SubscriptionStatePoint {
  kind: 'state';
  at: EpochSeconds;
  status: TimelineStatus;
  productCode: string;
  quantity: number;
  /** Per-subscription change sequence; orders changes that share an instant. */
  sequence: number;
}

/** A usage event (R3.4, R6): the quantity in use from `at` on. */
export interface UsagePoint {
  kind: 'usage';
  at: EpochSeconds;
  quantity: number;
  eventId: string;
}

export type TimelinePoint = SubscriptionStatePoint | UsagePoint;

/** A maximal stretch [from, to) of constant state. `to` is +Infinity for the last segment. */
export interface TimelineSegment {
  from: EpochSeconds;
  to: EpochSeconds;
  active: boolean;
  /** The product in force; null while inactive. */
  productCode: string | null;
  /** The quantity in force; 0 while inactive. */
  quantity: number;
}

/**
 * One day of R4.1, shaped exactly like `DailyUsageMessage` of `@cec/contracts` (a domain lib may
 * depend on the kernel only, so the shape is repeated here; TypeScript's structural typing lets
 * the application layer hand these straight to the contract).
 */
export interface DailyUsage {
  date: CalendarDate;
  /** q(d) of R4.1: the largest quantity in force at any instant of the day. */
  quantity: number;
  /**
   * Every product held with a quantity above zero at some instant of the day (more than one on an
   * edition-change day; R4.2 rates the highest price among them), ordered by the last instant each
   * was held: the last one is the product held at the end of the day's usage, which billing uses
   * to label a bill line (#9.8).
   */
  productCodes: string[];
}

/** Total order of points (see the semantics above): by instant, then state before usage, then sequence / event id. */
export function compareTimelinePoints(a: TimelinePoint, b: TimelinePoint): number {
  if (a.at !== b.at) {
    return a.at < b.at ? -1 : 1;
  }
  if (a.kind !== b.kind) {
    return a.kind === 'state' ? -1 : 1;
  }
  if (a.kind === 'state' && b.kind === 'state') {
    return a.sequence === b.sequence ? 0 : a.sequence < b.sequence ? -1 : 1;
  }
  const left = (a as UsagePoint).eventId;
  const right = (b as UsagePoint).eventId;
  return left === right ? 0 : left < right ? -1 : 1;
}

function sortedPoints(points: readonly TimelinePoint[]): readonly TimelinePoint[] {
  for (let i = 1; i < points.length; i++) {
    if (compareTimelinePoints(points[i - 1], points[i]) > 0) {
      return [...points].sort(compareTimelinePoints);
    }
  }
  return points; // already ordered (the usual case when read from the database): O(n)
}

/** Builds the step function of a set of points: O(n) when ordered, O(n log n) otherwise. */
export function timelineSegments(points: readonly TimelinePoint[]): TimelineSegment[] {
  const ordered = sortedPoints(points);
  const segments: TimelineSegment[] = [];
  let active = false;
  let productCode: string | null = null;
  let quantity = 0;
  let i = 0;
  while (i < ordered.length) {
    const at = ordered[i].at;
    // apply every point of this instant; only the final value is in force at `at`
    for (; i < ordered.length && ordered[i].at === at; i++) {
      const point = ordered[i];
      if (point.kind === 'state') {
        active = point.status === 'active';
        productCode = point.productCode;
      }
      quantity = point.quantity;
    }
    const segmentActive = active;
    const segmentProduct = active ? productCode : null;
    const segmentQuantity = active ? quantity : 0;
    const last = segments[segments.length - 1];
    if (last && last.active === segmentActive && last.productCode === segmentProduct && last.quantity === segmentQuantity) {
      continue; // nothing changed: extend the current segment
    }
    if (last) {
      last.to = at;
    }
    segments.push({ from: at, to: Number.POSITIVE_INFINITY, active: segmentActive, productCode: segmentProduct, quantity: segmentQuantity });
  }
  return segments;
}

/** The segment in force at `at`, or null before the first point. O(log n). */
export function segmentAt(segments: readonly TimelineSegment[], at: EpochSeconds): TimelineSegment | null {
  let low = 0;
  let high = segments.length - 1;
  let found: TimelineSegment | null = null;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    if (segments[mid].from <= at) {
      found = segments[mid];
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found;
}

/**
 * A subscription's timeline, built once from its points (in any order), then queried. Immutable.
 */
export class UsageTimeline {
  private constructor(readonly segments: readonly TimelineSegment[]) {}

  static of(points: readonly TimelinePoint[]): UsageTimeline {
    return new UsageTimeline(timelineSegments(points));
  }

  static readonly empty = new UsageTimeline([]);

  /** The quantity in force at `at` (0 while inactive). */
  quantityAt(at: EpochSeconds): number {
    return segmentAt(this.segments, at)?.quantity ?? 0;
  }

  /** The product in force at `at` (null while inactive). */
  productAt(at: EpochSeconds): string | null {
    return segmentAt(this.segments, at)?.productCode ?? null;
  }

  isActiveAt(at: EpochSeconds): boolean {
    return segmentAt(this.segments, at)?.active ?? false;
  }
}

function asTimeline(timeline: UsageTimeline | readonly TimelinePoint[]): UsageTimeline {
  return timeline instanceof UsageTimeline ? timeline : UsageTimeline.of(timeline);
}

/** The quantity in force at `at` (see the semantics at the top of this file). */
export function quantityAt(timeline: UsageTimeline | readonly TimelinePoint[], at: EpochSeconds): number {
  return asTimeline(timeline).quantityAt(at);
}

/** The billing-zone days of a period as epoch seconds: `starts[i]` is 00:00:00 of `dates[i]`, `starts[dates.length]` the period end. */
export interface PeriodDays {
  period: Period;
  dates: readonly CalendarDate[];
  starts: readonly EpochSeconds[];
}

const periodDaysCache = new WeakMap<BillingCalendar, Map<string, PeriodDays>>();

/** Day boundaries of a period, computed with the calendar once per (calendar, period) and reused. */
export function periodDays(period: Period, calendar: BillingCalendar = billingCalendar): PeriodDays {
  let byPeriod = periodDaysCache.get(calendar);
  if (!byPeriod) {
    byPeriod = new Map();
    periodDaysCache.set(calendar, byPeriod);
  }
  const key = period.toString();
  const cached = byPeriod.get(key);
  if (cached) {
    return cached;
  }
  const dates = Object.freeze(calendar.datesOf(period));
  const starts = Object.freeze([...dates.map((date) => calendar.startOfDay(date).toSeconds()), calendar.endOfPeriod(period).toSeconds()]);
  const days: PeriodDays = Object.freeze({ period, dates, starts });
  byPeriod.set(key, days);
  return days;
}

/**
 * R4.1 on precomputed segments and day boundaries: O(segments + days). For every day d,
 * q(d) = the largest quantity in force at any instant of [d 00:00:00, d+1 00:00:00); a segment
 * that starts at exactly 00:00:00 belongs to the new day only (its `from` is not before the old
 * day's end). Only days with q(d) > 0 are returned, in date order.
 */
export function dailyUsageOfSegments(segments: readonly TimelineSegment[], days: PeriodDays): DailyUsage[] {
  const { dates, starts } = days;
  const result: DailyUsage[] = [];
  let j = 0;
  for (let d = 0; d < dates.length; d++) {
    const dayStart = starts[d];
    const dayEnd = starts[d + 1];
    // segments that ended at or before this day's start never come back
    while (j < segments.length && segments[j].to <= dayStart) {
      j++;
    }
    let peak = 0;
    let products: string[] | null = null;
    // every segment overlapping [dayStart, dayEnd); the last one may overlap the next day as well
    for (let k = j; k < segments.length && segments[k].from < dayEnd; k++) {
      const segment = segments[k];
      if (segment.quantity > 0) {
        if (segment.quantity > peak) {
          peak = segment.quantity;
        }
        const code = segment.productCode as string;
        // segments come in time order: a product seen again moves to the end (held latest)
        if (products === null) {
          products = [code];
        } else if (products[products.length - 1] !== code) {
          const index = products.indexOf(code);
          if (index >= 0) products.splice(index, 1);
          products.push(code);
        }
      }
    }
    if (peak > 0 && products !== null) {
      result.push({ date: dates[d], quantity: peak, productCodes: products });
    }
  }
  return result;
}

/**
 * R4.1: the daily quantities of a subscription for a month, only the days with q(d) > 0, with the
 * products held with a quantity above zero on each day (R4.2 picks the highest price among them).
 */
export function dailyUsage(timeline: UsageTimeline | readonly TimelinePoint[], period: Period, calendar: BillingCalendar = billingCalendar): DailyUsage[] {
  return dailyUsageOfSegments(asTimeline(timeline).segments, periodDays(period, calendar));
}
