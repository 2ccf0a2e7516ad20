import fc from 'fast-check';
import { DateTime } from 'luxon';
import { BillingCalendar, Period } from './billing-calendar';
import { DomainError } from './domain-error';

const calendar = new BillingCalendar();
const instant = (iso: string): DateTime => calendar.parseInstant(iso);

describe('BillingCalendar (R2: the billing zone is UTC+8, whatever the host zone is)', () => {
  it('R2.3: 2026-01-31T17:00:00Z is 2026-02-01T01:00:00+08:00 and belongs to February', () => {
    const at = instant('2026-01-31T17:00:00Z');
    expect(calendar.dateOf(at)).toBe('2026-02-01');
    expect(calendar.periodOf(at).toString()).toBe('2026-02');
    expect(calendar.formatInstant(at)).toBe('2026-02-01T01:00:00+08:00');
  });

  it('R2.1: 16:00:00Z on the last day of a month is 00:00:00 of the 1st in UTC+8; 15:59:59Z is still the old month', () => {
    expect(calendar.periodOf(instant('2025-08-31T16:00:00Z')).toString()).toBe('2025-09');
    expect(calendar.dateOf(instant('2025-08-31T16:00:00Z'))).toBe('2025-09-01');
    expect(calendar.periodOf(instant('2025-08-31T15:59:59Z')).toString()).toBe('2025-08');
    expect(calendar.dateOf(instant('2025-08-31T15:59:59Z'))).toBe('2025-08-31');
  });

  it('R2.1: day and month boundaries are 00:00:00 UTC+8 (16:00 UTC the day before)', () => {
    expect(calendar.startOfDay('2026-04-16').toISO()).toBe('2026-04-15T16:00:00.000Z');
    expect(calendar.startOfPeriod(Period.of(2026, 4)).toISO()).toBe('2026-03-31T16:00:00.000Z');
    expect(calendar.endOfPeriod(Period.of(2026, 4)).toISO()).toBe('2026-04-30T16:00:00.000Z');
    expect(calendar.endOfPeriod(Period.of(2026, 12)).toISO()).toBe('2026-12-31T16:00:00.000Z');
  });

  it('R2.1: an instant at exactly 00:00:00 UTC+8 belongs to the new day and month', () => {
    const midnight = instant('2026-05-01T00:00:00+08:00');
    expect(calendar.dateOf(midnight)).toBe('2026-05-01');
    expect(calendar.periodOf(midnight).toString()).toBe('2026-05');
    expect(calendar.dateOf(midnight.minus({ seconds: 1 }))).toBe('2026-04-30');
  });

  it('R4.3: days in a period, leap years included', () => {
    expect(calendar.daysInPeriod(Period.of(2024, 2))).toBe(29);
    expect(calendar.daysInPeriod(Period.of(2025, 2))).toBe(28);
    expect(calendar.daysInPeriod(Period.of(2000, 2))).toBe(29);
    expect(calendar.daysInPeriod(Period.of(2100, 2))).toBe(28);
    expect(calendar.daysInPeriod(Period.of(2026, 4))).toBe(30);
    expect(calendar.daysInPeriod(Period.of(2025, 7))).toBe(31);
    expect(calendar.datesOf(Period.of(2024, 2))).toHaveLength(29);
    expect(calendar.datesOf(Period.of(2024, 2)).at(-1)).toBe('2024-02-29');
    expect(calendar.nextDate('2024-02-28')).toBe('2024-02-29');
    expect(calendar.nextDate('2024-02-29')).toBe('2024-03-01');
    expect(calendar.nextDate('2025-12-31')).toBe('2026-01-01');
  });

  it('R2.2: instants must carry an offset and are kept to the second', () => {
    expect(instant('2026-04-16T09:30:00+08:00').toISO()).toBe('2026-04-16T01:30:00.000Z');
    expect(instant('2026-04-16T01:30:00.999Z').toISO()).toBe('2026-04-16T01:30:00.000Z');
    expect(instant('2026-04-16T09:30:00+0800').toISO()).toBe('2026-04-16T01:30:00.000Z');
    for (const bad of ['2026-04-16T09:30:00', '2026-04-16', '2026-04-16 09:30:00+08:00', 'yesterday', '2026-02-30T00:00:00Z', 42, null]) {
      expect(() => calendar.parseInstant(bad, 'enabledAt')).toThrow(DomainError);
    }
    expect(() => calendar.parseInstant('2026-04-16T09:30:00', 'enabledAt')).toThrow(/enabledAt must be an ISO-8601 instant with an offset/);
  });

  it('R2.2: dates are YYYY-MM-DD that exist; periods are YYYY-MM', () => {
    expect(calendar.parseDate('2024-02-29')).toBe('2024-02-29');
    for (const bad of ['2025-02-29', '2025-13-01', '2025-1-01', '20250101', '']) {
      expect(() => calendar.parseDate(bad, 'effectiveFrom')).toThrow(/effectiveFrom must be a calendar date/);
    }
    expect(calendar.parsePeriod('2026-04').toString()).toBe('2026-04');
    for (const bad of ['2026-4', '2026-13', '2026-00', '2026-04-01', 202604]) {
      expect(() => calendar.parsePeriod(bad)).toThrow(/period must be a month written YYYY-MM/);
    }
  });

  it('R7.2: a period has ended at 00:00:00 UTC+8 of the next 1st, not a second before', () => {
    const april = Period.of(2026, 4);
    expect(calendar.hasEnded(april, instant('2026-04-30T23:59:59+08:00'))).toBe(false);
    expect(calendar.hasEnded(april, instant('2026-05-01T00:00:00+08:00'))).toBe(true);
    expect(calendar.lastEndedPeriod(instant('2026-05-01T00:00:00+08:00')).toString()).toBe('2026-04');
    expect(calendar.lastEndedPeriod(instant('2026-04-30T16:00:00Z')).toString()).toBe('2026-04');
    expect(calendar.lastEndedPeriod(instant('2026-04-30T15:59:59Z')).toString()).toBe('2026-03');
  });

  it('Period: next/previous across years, comparison', () => {
    expect(Period.of(2025, 12).next().toString()).toBe('2026-01');
    expect(Period.of(2026, 1).previous().toString()).toBe('2025-12');
    expect(Period.of(2026, 1).compare(Period.of(2025, 12))).toBeGreaterThan(0);
    expect(Period.parse('2026-03').equals(Period.of(2026, 3))).toBe(true);
  });

  it('property: every instant falls in exactly one day, inside that day\'s [start, next start)', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1990, 0, 1) / 1000, max: Date.UTC(2090, 0, 1) / 1000 }), (seconds) => {
        const at = DateTime.fromSeconds(seconds, { zone: 'utc' });
        const date = calendar.dateOf(at);
        const start = calendar.startOfDay(date);
        const end = calendar.startOfDay(calendar.nextDate(date));
        expect(start.toSeconds() <= seconds && seconds < end.toSeconds()).toBe(true);
        expect(end.toSeconds() - start.toSeconds()).toBe(86400); // UTC+8 has no daylight saving
        expect(calendar.periodOf(at).toString()).toBe(date.slice(0, 7));
      }),
      { numRuns: 2000 },
    );
  });
});
