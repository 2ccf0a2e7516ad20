import { DateTime } from 'luxon';
import { DomainError } from './domain-error';

/**
 * R2.1: days, months and "00:00" are in UTC+8, whatever the host's zone is. The calendar uses the
 * fixed offset: the IANA zone Asia/Shanghai agrees with it today but kept daylight saving time in
 * 1986-1991 (a property test found it), and the published rule says UTC+8.
 */
export const BILLING_ZONE = 'UTC+8';
/** The IANA name for schedulers that need one (cron): identical to UTC+8 for every date since 1992. */
export const BILLING_ZONE_IANA = 'Asia/Shanghai';

/** A calendar date in the billing zone, `YYYY-MM-DD`. Lexicographic order is date order. */
export type CalendarDate = string;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const PERIOD_PATTERN = /^(\d{4})-(\d{2})$/;
// ISO-8601 date-time with a mandatory offset (Z or ±hh:mm / ±hhmm), optional fraction.
const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|([+-])(\d{2}):?(\d{2}))$/i;

/**
 * The calendar range the platform accepts (#8.2): billing-zone dates from 1970-01-01 to
 * 9999-12-31. PostgreSQL stores far more, but years 0000-0001 or 10000+ are typing mistakes, and
 * periods (R2.2) start in 1970.
 */
export const MIN_YEAR = 1970;
export const MAX_YEAR = 9999;
/** #8.3: real UTC offsets lie within ±14:00 (Kiribati); `+25:00` is not an offset. */
export const MAX_OFFSET_MINUTES = 14 * 60;

/** A billing period: one calendar month in the billing zone (R2.2). */
export class Period {
  private constructor(
    readonly year: number,
    readonly month: number,
  ) {}

  static of(year: number, month: number): Period {
    if (!Number.isInteger(year) || !Number.isInteger(month) || month < 1 || month > 12 || year < MIN_YEAR || year > MAX_YEAR) {
      throw DomainError.validation(`period ${year}-${month} is not a valid month`);
    }
    return new Period(year, month);
  }

  static parse(value: unknown, field = 'period'): Period {
    const match = typeof value === 'string' ? PERIOD_PATTERN.exec(value) : null;
    if (!match) {
      throw DomainError.validation(`${field} must be a month written YYYY-MM`);
    }
    const year = Number(match[1]);
    const month = Number(match[2]);
    if (month < 1 || month > 12 || year < MIN_YEAR) {
      throw DomainError.validation(`${field} must be a month written YYYY-MM`);
    }
    return new Period(year, month);
  }

  next(): Period {
    return this.month === 12 ? new Period(this.year + 1, 1) : new Period(this.year, this.month + 1);
  }

  previous(): Period {
    return this.month === 1 ? new Period(this.year - 1, 12) : new Period(this.year, this.month - 1);
  }

  equals(other: Period): boolean {
    return this.year === other.year && this.month === other.month;
  }

  compare(other: Period): number {
    return this.year !== other.year ? this.year - other.year : this.month - other.month;
  }

  /** The first calendar date of the period. */
  firstDate(): CalendarDate {
    return `${this.toString()}-01`;
  }

  toString(): string {
    return `${String(this.year).padStart(4, '0')}-${String(this.month).padStart(2, '0')}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Days of a month of the Gregorian calendar. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/**
 * The billing calendar of R2: turns instants into billing-zone days and months and back. All
 * instants handed out are UTC luxon DateTimes truncated to the second.
 */
export class BillingCalendar {
  readonly zone = BILLING_ZONE;

  /**
   * R2.2: an ISO-8601 instant that carries an offset; kept to the second (fractions dropped). The
   * offset must lie within ±14:00 (#8.3) and the instant on a billing-zone date from 1970-01-01 to
   * 9999-12-31 (#8.2). Every path that reads an instant (REST schemas, NATS messages) comes here.
   */
  parseInstant(value: unknown, field = 'instant'): DateTime {
    const match = typeof value === 'string' ? INSTANT_PATTERN.exec(value) : null;
    if (!match) {
      throw DomainError.validation(`${field} must be an ISO-8601 instant with an offset, such as 2026-04-16T09:30:00+08:00`);
    }
    if (match[4] !== undefined && (Number(match[6]) > 59 || Number(match[5]) * 60 + Number(match[6]) > MAX_OFFSET_MINUTES)) {
      throw DomainError.validation(`${field} must have an offset from -14:00 to +14:00`);
    }
    const parsed = DateTime.fromISO(value as string, { setZone: true });
    if (!parsed.isValid) {
      throw DomainError.validation(`${field} is not a valid instant: ${parsed.invalidExplanation ?? String(value)}`);
    }
    const year = parsed.setZone(BILLING_ZONE).year;
    if (year < MIN_YEAR || year > MAX_YEAR) {
      throw DomainError.validation(`${field} must be an instant from ${MIN_YEAR}-01-01 to ${MAX_YEAR}-12-31 (UTC+8)`);
    }
    return parsed.toUTC().startOf('second');
  }

  /** R2.2: a `YYYY-MM-DD` calendar date that exists, from 1970-01-01 to 9999-12-31 (#8.2). */
  parseDate(value: unknown, field = 'date'): CalendarDate {
    const match = typeof value === 'string' ? DATE_PATTERN.exec(value) : null;
    if (!match || !DateTime.fromObject({ year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) }, { zone: 'UTC' }).isValid) {
      throw DomainError.validation(`${field} must be a calendar date written YYYY-MM-DD`);
    }
    if (Number(match[1]) < MIN_YEAR) {
      throw DomainError.validation(`${field} must be a calendar date from ${MIN_YEAR}-01-01 to ${MAX_YEAR}-12-31`);
    }
    return value as CalendarDate;
  }

  parsePeriod(value: unknown, field = 'period'): Period {
    return Period.parse(value, field);
  }

  /** The billing-zone calendar date an instant falls on (R2.3). */
  dateOf(instant: DateTime): CalendarDate {
    const local = instant.setZone(BILLING_ZONE);
    return `${pad(local.year, 4)}-${pad(local.month)}-${pad(local.day)}`;
  }

  /** The period an instant belongs to (R2.3). */
  periodOf(instant: DateTime): Period {
    const local = instant.setZone(BILLING_ZONE);
    return Period.of(local.year, local.month);
  }

  periodOfDate(date: CalendarDate): Period {
    return Period.parse(date.slice(0, 7));
  }

  /** 00:00:00 of a billing-zone date, as a UTC instant. */
  startOfDay(date: CalendarDate): DateTime {
    const [year, month, day] = date.split('-').map(Number);
    return DateTime.fromObject({ year, month, day }, { zone: BILLING_ZONE }).toUTC();
  }

  /** 00:00:00 of the first day of the period (inclusive start). */
  startOfPeriod(period: Period): DateTime {
    return DateTime.fromObject({ year: period.year, month: period.month, day: 1 }, { zone: BILLING_ZONE }).toUTC();
  }

  /** 00:00:00 of the first day of the next period (exclusive end). */
  endOfPeriod(period: Period): DateTime {
    return this.startOfPeriod(period.next());
  }

  /** D of R4.3: 28 to 31 (calendar arithmetic: on the hot path of a run, #11). */
  daysInPeriod(period: Period): number {
    return daysInMonth(period.year, period.month);
  }

  /** Every calendar date of the period, in order. */
  datesOf(period: Period): CalendarDate[] {
    const prefix = period.toString();
    return Array.from({ length: this.daysInPeriod(period) }, (_, index) => `${prefix}-${pad(index + 1)}`);
  }

  /** The calendar date after `date`. */
  nextDate(date: CalendarDate): CalendarDate {
    // plain calendar arithmetic, no date object (on the hot path of a run, #11)
    const year = Number(date.slice(0, 4));
    const month = Number(date.slice(5, 7));
    const day = Number(date.slice(8, 10));
    if (day < daysInMonth(year, month)) return `${date.slice(0, 8)}${pad(day + 1)}`;
    return month < 12 ? `${date.slice(0, 5)}${pad(month + 1)}-01` : `${pad(year + 1, 4)}-01-01`;
  }

  /** R7.2: a period has ended once its exclusive end is not after `now`. */
  hasEnded(period: Period, now: DateTime): boolean {
    return now.toMillis() >= this.endOfPeriod(period).toMillis();
  }

  /** The most recent period that has ended at `now` (the month before the current one). */
  lastEndedPeriod(now: DateTime): Period {
    return this.periodOf(now).previous();
  }

  /** An instant as ISO-8601 in the billing zone, to the second: `2026-04-16T09:30:00+08:00`. */
  formatInstant(instant: DateTime): string {
    return instant.setZone(BILLING_ZONE).toISO({ suppressMilliseconds: true }) as string;
  }
}

/** A shared, stateless calendar. */
export const billingCalendar = new BillingCalendar();
