import fc from 'fast-check';
import { Period } from '@cec/kernel';
import { dailyUsage, DailyUsage, SubscriptionStatePoint, TimelinePoint, UsagePoint, UsageTimeline } from './usage-timeline';

/**
 * R4.1 / R3.4 against a deliberately naive oracle: every minute of the month is looked at, the
 * point in force is found by scanning all points, and the billing day is computed with the fixed
 * UTC+8 offset (Asia/Shanghai has had no DST since 1991). All change instants are whole minutes,
 * so sampling minutes sees every value the per-second function takes.
 */

const MINUTE = 60;
const DAY = 86_400;
const OFFSET = 8 * 3600;

function periodStart(year: number, month: number): number {
  return Date.UTC(year, month - 1, 1) / 1000 - OFFSET;
}

function naiveIsLater(a: TimelinePoint, b: TimelinePoint): boolean {
  if (a.at !== b.at) return a.at > b.at;
  if (a.kind !== b.kind) return a.kind === 'usage';
  if (a.kind === 'state' && b.kind === 'state') return a.sequence > b.sequence;
  return (a as UsagePoint).eventId > (b as UsagePoint).eventId;
}

function naiveInForce(points: readonly TimelinePoint[], t: number): { quantity: number; productCode: string | null } {
  let latestState: SubscriptionStatePoint | null = null;
  let latest: TimelinePoint | null = null;
  for (const point of points) {
    if (point.at > t) continue;
    if (point.kind === 'state' && (latestState === null || naiveIsLater(point, latestState))) latestState = point;
    if (latest === null || naiveIsLater(point, latest)) latest = point;
  }
  if (latestState === null || latestState.status !== 'active' || latest === null) {
    return { quantity: 0, productCode: null };
  }
  return { quantity: latest.quantity, productCode: latestState.productCode };
}

function naiveDailyUsage(points: readonly TimelinePoint[], year: number, month: number): DailyUsage[] {
  const start = periodStart(year, month);
  const end = month === 12 ? periodStart(year + 1, 1) : periodStart(year, month + 1);
  const days = new Map<string, { quantity: number; products: Set<string> }>();
  for (let t = start; t < end; t += MINUTE) {
    const date = new Date(Math.floor((t + OFFSET) / DAY) * DAY * 1000).toISOString().slice(0, 10);
    const day = days.get(date) ?? { quantity: 0, products: new Set<string>() };
    days.set(date, day);
    const { quantity, productCode } = naiveInForce(points, t);
    if (quantity > 0 && productCode !== null) {
      day.quantity = Math.max(day.quantity, quantity);
      day.products.delete(productCode); // ordered by the last instant held (#9.8)
      day.products.add(productCode);
    }
  }
  return [...days.entries()]
    .filter(([, day]) => day.quantity > 0)
    .map(([date, day]) => ({ date, quantity: day.quantity, productCodes: [...day.products] }));
}

interface Scenario {
  year: number;
  month: number;
  points: TimelinePoint[];
}

const scenario: fc.Arbitrary<Scenario> = fc
  .record({ year: fc.integer({ min: 2000, max: 2035 }), month: fc.integer({ min: 1, max: 12 }) })
  .chain(({ year, month }) => {
    const start = periodStart(year, month);
    const from = start - 3 * DAY;
    const spanMinutes = (31 + 6) * 1440;
    // whole minutes anywhere from 3 days before the month to 3 days after it, biased to midnights
    const instant = fc.oneof(
      fc.integer({ min: 0, max: spanMinutes }).map((minute) => from + minute * MINUTE),
      fc.tuple(fc.integer({ min: -3, max: 34 }), fc.constantFrom(-1, 0, 1)).map(([day, minute]) => start + day * DAY + minute * MINUTE),
    );
    const statePoint = fc.record({
      at: instant,
      status: fc.constantFrom<'active' | 'cancelled'>('active', 'active', 'active', 'cancelled'),
      productCode: fc.constantFrom('basic-cec', 'professional-cec', 'advanced-cec'),
      quantity: fc.integer({ min: 0, max: 12 }),
    });
    const usagePoint = fc.record({ at: instant, quantity: fc.integer({ min: 0, max: 12 }), tag: fc.integer({ min: 0, max: 9 }) });
    return fc
      .tuple(fc.array(statePoint, { minLength: 1, maxLength: 5 }), fc.array(usagePoint, { maxLength: 7 }))
      .map(([states, usages]) => {
        const points: TimelinePoint[] = [
          ...states.map((s, index): TimelinePoint => ({ kind: 'state', ...s, sequence: index + 1 })),
          ...usages.map((u, index): TimelinePoint => ({ kind: 'usage', at: u.at, quantity: u.quantity, eventId: `e${u.tag}-${index}` })),
        ];
        return { year, month, points };
      });
  });

describe('dailyUsage property (R4.1, R3.2, R3.4)', () => {
  it('R4.1: equals a naive minute-by-minute scan of the month, for any timeline', () => {
    fc.assert(
      fc.property(scenario, ({ year, month, points }) => {
        expect(dailyUsage(points, Period.of(year, month))).toEqual(naiveDailyUsage(points, year, month));
      }),
      { numRuns: 60 },
    );
  }, 60_000); // room for shrinking to report a counterexample rather than a timeout

  it('R3.4: the order points arrive in never changes the result', () => {
    fc.assert(
      fc.property(
        scenario.chain((s) => fc.shuffledSubarray(s.points, { minLength: s.points.length, maxLength: s.points.length }).map((shuffled) => ({ ...s, shuffled }))),
        ({ year, month, points, shuffled }) => {
          const period = Period.of(year, month);
          expect(dailyUsage(shuffled, period)).toEqual(dailyUsage(points, period));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('R3.2 / R3.4: quantityAt and productAt equal the naive scan at any second', () => {
    fc.assert(
      fc.property(scenario, fc.array(fc.integer({ min: -5 * DAY, max: 40 * DAY }), { minLength: 1, maxLength: 20 }), ({ year, month, points }, offsets) => {
        const timeline = UsageTimeline.of(points);
        for (const offset of offsets) {
          const t = periodStart(year, month) + offset;
          const expected = naiveInForce(points, t);
          expect({ quantity: timeline.quantityAt(t), productCode: timeline.productAt(t) }).toEqual(expected);
        }
      }),
      { numRuns: 200 },
    );
  });
});
