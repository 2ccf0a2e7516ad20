import { billingCalendar } from '@cec/kernel';
import { periodKeyOf } from './billing-period';

const at = (iso: string): number => billingCalendar.parseInstant(iso).toSeconds();

describe('periodKeyOf (R2.3 the period of an instant, UTC+8)', () => {
  it('R2.3: 2026-01-31T17:00:00Z is 2026-02-01T01:00:00+08:00 and belongs to February', () => {
    expect(periodKeyOf(at('2026-01-31T17:00:00Z'))).toBe('2026-02');
  });

  it('R2.3: the month boundary is 16:00:00Z of the last UTC day', () => {
    expect(periodKeyOf(at('2025-08-31T15:59:59Z'))).toBe('2025-08');
    expect(periodKeyOf(at('2025-08-31T16:00:00Z'))).toBe('2025-09');
  });

  it('agrees with the billing calendar at every hour of a year (the cache never changes an answer)', () => {
    const start = at('2025-01-01T00:00:00Z');
    for (let t = start; t < start + 366 * 86_400; t += 1800) {
      expect(periodKeyOf(t)).toBe(billingCalendar.periodOf(billingCalendar.parseInstant(new Date(t * 1000).toISOString())).toString());
    }
  });
});
