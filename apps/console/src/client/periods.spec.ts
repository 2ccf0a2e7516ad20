import { formatEta, formatInstant, lastEndedPeriod } from './periods';

describe("#12 console periods in the UTC+8 billing calendar (R2), whatever the browser's zone", () => {
  it("the last ended month follows UTC+8 midnight, not the host's", () => {
    expect(lastEndedPeriod(new Date('2026-05-01T00:00:00+08:00'))).toBe('2026-04');
    expect(lastEndedPeriod(new Date('2026-04-30T23:59:59+08:00'))).toBe('2026-03');
    // 16:00 UTC on 30 April is already 1 May in UTC+8
    expect(lastEndedPeriod(new Date('2026-04-30T16:00:00Z'))).toBe('2026-04');
    expect(lastEndedPeriod(new Date('2026-01-15T12:00:00+08:00'))).toBe('2025-12');
  });

  it('writes instants in UTC+8', () => {
    expect(formatInstant('2026-04-30T16:00:00Z')).toBe('2026-05-01 00:00:00');
    expect(formatInstant('2026-05-01T00:03:10+08:00')).toBe('2026-05-01 00:03:10');
    expect(formatInstant(null)).toBe('—');
  });

  it('turns an estimated completion into a countdown', () => {
    const now = new Date('2026-05-01T00:00:00+08:00');
    expect(formatEta('2026-05-01T00:01:05+08:00', now)).toBe('1 min 05 s');
    expect(formatEta('2026-05-01T00:00:42+08:00', now)).toBe('42 s');
    expect(formatEta('2026-04-30T23:59:00+08:00', now)).toBe('now');
    expect(formatEta(null, now)).toBeNull();
  });
});
