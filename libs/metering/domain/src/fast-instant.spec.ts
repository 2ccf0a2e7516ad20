import fc from 'fast-check';
import { billingCalendar } from '@cec/kernel';
import { fastInstantSeconds } from './fast-instant';

function reference(value: string): number | null {
  try {
    const instant = billingCalendar.parseInstant(value);
    billingCalendar.periodOf(instant);
    return instant.toSeconds();
  } catch {
    return null;
  }
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** Instants in the common shape, with fields sometimes out of range. */
const candidate = fc
  .record({
    year: fc.oneof(fc.integer({ min: 1969, max: 2100 }), fc.integer({ min: 9990, max: 9999 })),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 25 }),
    minute: fc.integer({ min: 0, max: 60 }),
    second: fc.option(fc.integer({ min: 0, max: 61 })),
    fraction: fc.option(fc.stringMatching(/^\d{1,9}$/)),
    offset: fc.oneof(
      fc.constant('Z'),
      fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 60 }), fc.boolean()).map(([sign, h, m, colon]) => `${sign}${pad(h)}${colon ? ':' : ''}${pad(m)}`),
    ),
  })
  .map(({ year, month, day, hour, minute, second, fraction, offset }) => {
    const seconds = second === null ? '' : `:${pad(second)}${fraction === null ? '' : `.${fraction}`}`;
    return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}${seconds}${offset}`;
  });

describe('fastInstantSeconds (R2.2 on the ingestion hot path)', () => {
  it('R2.2: whenever it answers, it answers what the billing calendar answers', () => {
    fc.assert(
      fc.property(fc.oneof(candidate, fc.string()), (value) => {
        const fast = fastInstantSeconds(value);
        if (fast !== null) expect(fast).toBe(reference(value));
      }),
      { numRuns: 20_000 },
    );
  });

  it('answers the plainly valid common forms (so that it is the hot path indeed)', () => {
    const plain = fc
      .record({
        year: fc.integer({ min: 1971, max: 9998 }),
        month: fc.integer({ min: 1, max: 12 }),
        day: fc.integer({ min: 1, max: 28 }),
        hour: fc.integer({ min: 0, max: 23 }),
        minute: fc.integer({ min: 0, max: 59 }),
        second: fc.integer({ min: 0, max: 59 }),
        offset: fc.oneof(fc.constant('Z'), fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 59 })).map(([sign, h, m]) => `${sign}${pad(h)}:${pad(m)}`)),
      })
      .map(({ year, month, day, hour, minute, second, offset }) => `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}${offset}`);
    fc.assert(
      fc.property(plain, (value) => {
        expect(fastInstantSeconds(value)).toBe(reference(value));
      }),
      { numRuns: 5_000 },
    );
  });

  it.each([
    ['2025-11-05T10:00:00+08:00', '2025-11-05T02:00:00Z'],
    ['2025-08-31T16:00:00Z', '2025-09-01T00:00:00+08:00'],
    ['2025-11-05T02:00:00.999Z', '2025-11-05T02:00:00Z'],
    ['2024-02-29T23:59:59-0530', '2024-03-01T05:29:59Z'],
    ['2025-11-05T10:00+08:00', '2025-11-05T02:00:00Z'],
  ])('R2.2: %s is %s, to the second', (value, same) => {
    expect(fastInstantSeconds(value)).toBe(reference(same));
  });

  it.each(['2025-02-29T10:00:00Z', '2025-11-05T24:00:00Z', '2025-11-05 10:00:00Z', '2025-11-05T10:00:00', '2025-11-05t10:00:00z', '1969-12-31T23:00:00Z', '2025-11-05T10:00:00+15:00'])(
    'leaves %s to the calendar',
    (value) => {
      expect(fastInstantSeconds(value)).toBeNull();
    },
  );
});
