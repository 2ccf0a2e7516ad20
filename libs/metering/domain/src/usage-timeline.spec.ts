import { billingCalendar, Period } from '@cec/kernel';
import {
  compareTimelinePoints,
  dailyUsage,
  DailyUsage,
  periodDays,
  quantityAt,
  segmentAt,
  SubscriptionStatePoint,
  TimelinePoint,
  timelineSegments,
  UsagePoint,
  UsageTimeline,
} from './usage-timeline';

const at = (iso: string): number => billingCalendar.parseInstant(iso).toSeconds();
let sequence = 0;
const state = (
  iso: string,
  quantity: number,
  options: { productCode?: string; status?: 'active' | 'cancelled'; sequence?: number } = {},
): SubscriptionStatePoint => ({
  kind: 'state',
  at: at(iso),
  quantity,
  productCode: options.productCode ?? 'basic-cec',
  status: options.status ?? 'active',
  sequence: options.sequence ?? ++sequence,
});
const cancel = (iso: string, productCode = 'basic-cec'): SubscriptionStatePoint => state(iso, 0, { status: 'cancelled', productCode });
const usage = (iso: string, quantity: number, eventId: string): UsagePoint => ({ kind: 'usage', at: at(iso), quantity, eventId });

const quantityDays = (days: DailyUsage[]): number => days.reduce((sum, day) => sum + day.quantity, 0);
const byDate = (days: DailyUsage[]): Record<string, number> => Object.fromEntries(days.map((day) => [day.date, day.quantity]));
const month = (value: string): Period => Period.parse(value);

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) {
    return [[...items]];
  }
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

describe('dailyUsage (R4.1 daily quantity, worked examples)', () => {
  it('E1 / R4.1: 6 agents enabled 2025-07-09T15:20:00+08:00 count days 9-31 of July: quantityDays 138', () => {
    const days = dailyUsage([state('2025-07-09T15:20:00+08:00', 6)], month('2025-07'));
    expect(days).toHaveLength(23);
    expect(days[0]).toEqual({ date: '2025-07-09', quantity: 6, productCodes: ['basic-cec'] });
    expect(days[22].date).toBe('2025-07-31');
    expect(quantityDays(days)).toBe(138);
  });

  it('E2 / R2.3: enabled 2025-08-31T16:00:00Z is Sep 1 00:00 in UTC+8: no day in 2025-08, all 30 days of 2025-09', () => {
    const timeline = UsageTimeline.of([state('2025-08-31T16:00:00Z', 1)]);
    expect(dailyUsage(timeline, month('2025-08'))).toEqual([]);
    const september = dailyUsage(timeline, month('2025-09'));
    expect(september).toHaveLength(30);
    expect(september[0].date).toBe('2025-09-01');
    expect(quantityDays(september)).toBe(30);
  });

  it('E2 / R2.3: one second earlier (15:59:59Z) is still Aug 31 in UTC+8 and counts that day', () => {
    const days = dailyUsage([state('2025-08-31T15:59:59Z', 1)], month('2025-08'));
    expect(days).toEqual([{ date: '2025-08-31', quantity: 1, productCodes: ['basic-cec'] }]);
  });

  it('E3 / R4.1: a peak inside a day counts for the whole day (3 channels, 9 from 10:00 to 10:05 on Nov 5): quantityDays 96', () => {
    const points = [
      state('2025-11-01T00:00:00+08:00', 3, { productCode: 'voice-chatbot' }),
      state('2025-11-05T10:00:00+08:00', 9, { productCode: 'voice-chatbot' }),
      state('2025-11-05T10:05:00+08:00', 3, { productCode: 'voice-chatbot' }),
    ];
    const days = dailyUsage(points, month('2025-11'));
    expect(days).toHaveLength(30);
    expect(byDate(days)['2025-11-04']).toBe(3);
    expect(byDate(days)['2025-11-05']).toBe(9);
    expect(byDate(days)['2025-11-06']).toBe(3);
    expect(quantityDays(days)).toBe(96);
  });

  it('E3 / R3.4: the same peak reported by usage events gives the same 96', () => {
    const points = [
      state('2025-11-01T00:00:00+08:00', 3, { productCode: 'voice-chatbot' }),
      usage('2025-11-05T10:00:00+08:00', 9, 'u-1'),
      usage('2025-11-05T10:05:00+08:00', 3, 'u-2'),
    ];
    expect(quantityDays(dailyUsage(points, month('2025-11')))).toBe(96);
  });

  it('E7 / R4.6: 10 agents enabled 2026-04-16T09:30:00+08:00 count days 16-30: quantityDays 150', () => {
    const days = dailyUsage([state('2026-04-16T09:30:00+08:00', 10)], month('2026-04'));
    expect(days.map((day) => day.date)).toEqual(billingCalendar.datesOf(month('2026-04')).slice(15));
    expect(quantityDays(days)).toBe(150);
  });

  it('R4.3: a subscription in force all month counts every day of a leap February (29)', () => {
    expect(quantityDays(dailyUsage([state('2024-01-15T08:00:00+08:00', 2)], month('2024-02')))).toBe(58);
  });
});

describe('dailyUsage (R4.1 day boundaries in UTC+8)', () => {
  const november = month('2025-11');

  it('R4.1: an increase at exactly 00:00:00 +08:00 belongs to the new day only', () => {
    const days = byDate(dailyUsage([state('2025-11-01T00:00:00+08:00', 3), state('2025-11-10T00:00:00+08:00', 5)], november));
    expect(days['2025-11-09']).toBe(3);
    expect(days['2025-11-10']).toBe(5);
  });

  it('R4.1: a decrease at exactly 00:00:00 +08:00 belongs to the new day only (the old value does not leak into it)', () => {
    const days = byDate(dailyUsage([state('2025-11-01T00:00:00+08:00', 5), state('2025-11-10T00:00:00+08:00', 2)], november));
    expect(days['2025-11-09']).toBe(5);
    expect(days['2025-11-10']).toBe(2);
  });

  it('R4.1: a change at 23:59:59 counts on the day it happens (largest of the day)', () => {
    const days = byDate(dailyUsage([state('2025-11-01T00:00:00+08:00', 3), state('2025-11-09T23:59:59+08:00', 5)], november));
    expect(days['2025-11-08']).toBe(3);
    expect(days['2025-11-09']).toBe(5);
    expect(days['2025-11-10']).toBe(5);
  });

  it('R4.1: a midnight change written in UTC (16:00:00Z) is the same boundary', () => {
    const days = byDate(dailyUsage([state('2025-11-01T00:00:00+08:00', 5), state('2025-11-09T16:00:00Z', 2)], november));
    expect(days['2025-11-09']).toBe(5);
    expect(days['2025-11-10']).toBe(2);
  });

  it('R4.1 / R3.2: cancelled at 2025-11-10T00:00:00+08:00, day 10 is not counted', () => {
    const days = dailyUsage([state('2025-11-01T00:00:00+08:00', 4), cancel('2025-11-10T00:00:00+08:00')], november);
    expect(days.map((day) => day.date).at(-1)).toBe('2025-11-09');
    expect(quantityDays(days)).toBe(36);
  });

  it('R4.1 / R3.2: cancelled one second after midnight, day 10 is counted', () => {
    const days = dailyUsage([state('2025-11-01T00:00:00+08:00', 4), cancel('2025-11-10T00:00:01+08:00')], november);
    expect(days.map((day) => day.date).at(-1)).toBe('2025-11-10');
    expect(quantityDays(days)).toBe(40);
  });

  it('R4.1: enabled at 23:59:59 counts that day ("used for one day, charged for one day")', () => {
    const days = dailyUsage([state('2025-11-30T23:59:59+08:00', 7)], november);
    expect(days).toEqual([{ date: '2025-11-30', quantity: 7, productCodes: ['basic-cec'] }]);
  });

  it('R4.1: enabled and cancelled inside one day counts that day once', () => {
    const days = dailyUsage([state('2025-11-05T09:00:00+08:00', 2), cancel('2025-11-05T09:00:01+08:00')], november);
    expect(days).toEqual([{ date: '2025-11-05', quantity: 2, productCodes: ['basic-cec'] }]);
  });

  it('R4.1: only the month asked for is returned; a state from an earlier month carries into it', () => {
    const points = [state('2025-10-20T12:00:00+08:00', 2), state('2025-12-01T00:00:00+08:00', 8), cancel('2025-12-03T00:00:00+08:00')];
    const days = dailyUsage(points, november);
    expect(days).toHaveLength(30);
    expect(days.every((day) => day.quantity === 2)).toBe(true);
    expect(byDate(dailyUsage(points, month('2025-12')))).toEqual({ '2025-12-01': 8, '2025-12-02': 8 });
    expect(dailyUsage(points, month('2026-01'))).toEqual([]);
  });

  it('R4.1: days with quantity 0 are left out', () => {
    const days = dailyUsage([state('2025-11-01T00:00:00+08:00', 2), state('2025-11-03T00:00:00+08:00', 0), state('2025-11-05T12:00:00+08:00', 1)], november);
    expect(days.map((day) => day.date).slice(0, 3)).toEqual(['2025-11-01', '2025-11-02', '2025-11-05']);
  });

  it('R4.1: an empty timeline or one with no active instant has no days', () => {
    expect(dailyUsage(UsageTimeline.empty, november)).toEqual([]);
    expect(dailyUsage([usage('2025-11-05T00:00:00+08:00', 5, 'u-1')], november)).toEqual([]);
  });
});

describe('dailyUsage (R4.2 products of a day)', () => {
  const november = month('2025-11');

  it('R4.2 / R3.5: an edition change mid-day gives both products that day, one on the days around it', () => {
    const points = [
      state('2025-11-01T00:00:00+08:00', 5, { productCode: 'professional-cec' }),
      state('2025-11-05T12:00:00+08:00', 5, { productCode: 'basic-cec' }),
    ];
    const days = dailyUsage(points, november);
    const products = Object.fromEntries(days.map((day) => [day.date, day.productCodes]));
    expect(products['2025-11-04']).toEqual(['professional-cec']);
    // #9.8 ordered by the last instant held (not alphabetically): the product held at the end comes last
    expect(products['2025-11-05']).toEqual(['professional-cec', 'basic-cec']);
    expect(products['2025-11-06']).toEqual(['basic-cec']);
    expect(quantityDays(days)).toBe(150);
  });

  it('#9.8 a day of edition changes lists its products by the last instant each was held', () => {
    const points = [
      state('2025-11-01T00:00:00+08:00', 5, { productCode: 'basic-cec' }),
      state('2025-11-05T09:00:00+08:00', 5, { productCode: 'advanced-cec' }),
      state('2025-11-05T10:00:00+08:00', 5, { productCode: 'basic-cec' }),
      state('2025-11-05T11:00:00+08:00', 5, { productCode: 'professional-cec' }),
      state('2025-11-05T12:00:00+08:00', 5, { productCode: 'advanced-cec' }),
    ];
    const products = Object.fromEntries(dailyUsage(points, november).map((day) => [day.date, day.productCodes]));
    expect(products['2025-11-05']).toEqual(['basic-cec', 'professional-cec', 'advanced-cec']);
    expect(products['2025-11-06']).toEqual(['advanced-cec']);
  });

  it('R4.2 / R4.1: an edition change at exactly 00:00:00 gives only the new product on the new day', () => {
    const points = [state('2025-11-01T00:00:00+08:00', 5, { productCode: 'basic-cec' }), state('2025-11-05T00:00:00+08:00', 5, { productCode: 'advanced-cec' })];
    const products = Object.fromEntries(dailyUsage(points, november).map((day) => [day.date, day.productCodes]));
    expect(products['2025-11-04']).toEqual(['basic-cec']);
    expect(products['2025-11-05']).toEqual(['advanced-cec']);
  });

  it('R4.2: a product held only with quantity 0 that day is not among its products', () => {
    const points = [state('2025-11-05T00:00:00+08:00', 0, { productCode: 'advanced-cec' }), state('2025-11-05T12:00:00+08:00', 5, { productCode: 'basic-cec' })];
    const days = dailyUsage(points, november);
    expect(days[0]).toEqual({ date: '2025-11-05', quantity: 5, productCodes: ['basic-cec'] });
  });

  it('R4.2: the product of the day follows state changes only, never a usage event', () => {
    const points = [state('2025-11-01T00:00:00+08:00', 1, { productCode: 'text-chatbot' }), usage('2025-11-02T08:00:00+08:00', 4, 'u-1')];
    expect(dailyUsage(points, november).every((day) => day.productCodes.join() === 'text-chatbot')).toBe(true);
  });
});

describe('dailyUsage (R3.4 / R6 usage events)', () => {
  const november = month('2025-11');
  const base = state('2025-11-01T00:00:00+08:00', 3, { sequence: 1 });

  it('R3.4: events applied in any order give the same days (out-of-order events are placed by their time)', () => {
    const events = [
      usage('2025-11-05T10:00:00+08:00', 9, 'u-1'),
      usage('2025-11-07T00:00:00+08:00', 1, 'u-2'),
      usage('2025-11-07T00:00:00+08:00', 6, 'u-3'),
      usage('2025-11-20T18:30:00+08:00', 4, 'u-4'),
    ];
    const expected = dailyUsage([base, ...events], november);
    for (const order of permutations([base, ...events])) {
      expect(dailyUsage(order, november)).toEqual(expected);
    }
    expect(byDate(expected)['2025-11-05']).toBe(9);
    expect(byDate(expected)['2025-11-06']).toBe(9);
    expect(byDate(expected)['2025-11-07']).toBe(6); // tie at one instant: the larger event id (u-3) is the last
    expect(byDate(expected)['2025-11-21']).toBe(4);
  });

  it('R3.4: a late event with an earlier time does not override a newer one', () => {
    const timeline = UsageTimeline.of([base, usage('2025-11-10T12:00:00+08:00', 2, 'late'), usage('2025-11-10T08:00:00+08:00', 7, 'early')].reverse());
    expect(timeline.quantityAt(at('2025-11-10T09:00:00+08:00'))).toBe(7);
    expect(timeline.quantityAt(at('2025-11-10T12:00:00+08:00'))).toBe(2);
    expect(timeline.quantityAt(at('2025-11-11T00:00:00+08:00'))).toBe(2);
  });

  it('R3.2 / R3.4: usage reported before enabling counts 0 there and has no effect after enabling', () => {
    const points = [usage('2025-11-03T09:00:00+08:00', 7, 'u-early'), state('2025-11-05T12:00:00+08:00', 2)];
    const days = dailyUsage(points, november);
    expect(days[0]).toEqual({ date: '2025-11-05', quantity: 2, productCodes: ['basic-cec'] });
    expect(quantityAt(points, at('2025-11-04T00:00:00+08:00'))).toBe(0);
  });

  it('R3.2 / R3.4: usage reported at or after cancelling counts 0', () => {
    const points = [base, cancel('2025-11-10T12:00:00+08:00'), usage('2025-11-10T12:00:00+08:00', 9, 'u-at-cancel'), usage('2025-11-12T09:00:00+08:00', 9, 'u-after')];
    const days = dailyUsage(points, november);
    expect(days.map((day) => day.date).at(-1)).toBe('2025-11-10');
    expect(byDate(days)['2025-11-10']).toBe(3);
    expect(quantityDays(days)).toBe(30);
  });

  it('R3.4: a usage event at the very instant of a subscription change wins over the change (usage is ordered after state)', () => {
    const points = [usage('2025-11-05T12:00:00+08:00', 4, 'u-1'), state('2025-11-05T12:00:00+08:00', 6)];
    const timeline = UsageTimeline.of(points);
    expect(timeline.quantityAt(at('2025-11-05T12:00:00+08:00'))).toBe(4);
    // the 6 of the change is never in force: it lasts zero seconds
    expect(byDate(dailyUsage(timeline, november))['2025-11-05']).toBe(4);
  });

  it('R3.4: a later subscription change sets the quantity again over an earlier usage report', () => {
    const timeline = UsageTimeline.of([base, usage('2025-11-05T10:00:00+08:00', 9, 'u-1'), state('2025-11-06T10:00:00+08:00', 3, { productCode: 'professional-cec' })]);
    expect(timeline.quantityAt(at('2025-11-06T09:59:59+08:00'))).toBe(9);
    expect(timeline.quantityAt(at('2025-11-06T10:00:00+08:00'))).toBe(3);
  });

  it('R3.2: a subscription re-enabled after a cancellation counts again from the new enable', () => {
    const points = [base, cancel('2025-11-10T00:00:00+08:00'), state('2025-11-20T15:00:00+08:00', 1)];
    expect(Object.keys(byDate(dailyUsage(points, november)))).toHaveLength(9 + 11);
  });
});

describe('UsageTimeline (R3.2 / R3.4 quantity in force)', () => {
  it('R3.2: quantity is 0 before enabling and from the cancellation instant on; product is null there', () => {
    const timeline = UsageTimeline.of([state('2025-11-05T12:00:00+08:00', 2, { productCode: 'voice-chatbot' }), cancel('2025-11-08T12:00:00+08:00')]);
    const enabled = at('2025-11-05T12:00:00+08:00');
    const cancelled = at('2025-11-08T12:00:00+08:00');
    expect(timeline.quantityAt(enabled - 1)).toBe(0);
    expect(timeline.isActiveAt(enabled - 1)).toBe(false);
    expect(timeline.quantityAt(enabled)).toBe(2);
    expect(timeline.productAt(enabled)).toBe('voice-chatbot');
    expect(timeline.quantityAt(cancelled - 1)).toBe(2);
    expect(timeline.quantityAt(cancelled)).toBe(0);
    expect(timeline.productAt(cancelled)).toBeNull();
    expect(timeline.isActiveAt(cancelled)).toBe(false);
  });

  it('R3.4: state changes that share an instant are ordered by sequence, whatever the input order', () => {
    const points = [state('2025-11-05T12:00:00+08:00', 8, { sequence: 3 }), state('2025-11-05T12:00:00+08:00', 2, { sequence: 2 })];
    expect(quantityAt(points, at('2025-11-05T12:00:00+08:00'))).toBe(8);
    expect(quantityAt([...points].reverse(), at('2025-11-05T12:00:00+08:00'))).toBe(8);
  });

  it('segments are maximal, contiguous and open-ended; points that change nothing add no segment', () => {
    const segments = timelineSegments([
      state('2025-11-01T00:00:00+08:00', 3, { sequence: 1 }),
      usage('2025-11-02T00:00:00+08:00', 3, 'same'),
      usage('2025-11-03T00:00:00+08:00', 5, 'up'),
      cancel('2025-11-04T00:00:00+08:00'),
    ]);
    expect(segments).toEqual([
      { from: at('2025-11-01T00:00:00+08:00'), to: at('2025-11-03T00:00:00+08:00'), active: true, productCode: 'basic-cec', quantity: 3 },
      { from: at('2025-11-03T00:00:00+08:00'), to: at('2025-11-04T00:00:00+08:00'), active: true, productCode: 'basic-cec', quantity: 5 },
      { from: at('2025-11-04T00:00:00+08:00'), to: Number.POSITIVE_INFINITY, active: false, productCode: null, quantity: 0 },
    ]);
    expect(segmentAt(segments, at('2025-10-31T23:59:59+08:00'))).toBeNull();
    expect(segmentAt(segments, at('2025-11-03T00:00:00+08:00'))?.quantity).toBe(5);
    expect(segmentAt(segments, at('2030-01-01T00:00:00+08:00'))?.active).toBe(false);
  });

  it('compareTimelinePoints orders by instant, then state before usage, then sequence / event id', () => {
    const points: TimelinePoint[] = [
      usage('2025-11-01T00:00:00+08:00', 1, 'b'),
      usage('2025-11-01T00:00:00+08:00', 1, 'a'),
      state('2025-11-01T00:00:00+08:00', 1, { sequence: 9 }),
      state('2025-11-01T00:00:00+08:00', 1, { sequence: 4 }),
      usage('2025-10-31T23:59:59+08:00', 1, 'z'),
    ];
    const keys = [...points].sort(compareTimelinePoints).map((point) => (point.kind === 'state' ? `s${point.sequence}` : point.eventId));
    expect(keys).toEqual(['z', 's4', 's9', 'a', 'b']);
  });
});

describe('periodDays (R2.1 billing-zone day boundaries)', () => {
  it('R2.1: each day starts at 16:00:00Z of the day before, and the period ends at the next month start', () => {
    const days = periodDays(Period.parse('2025-09'));
    expect(days.dates).toHaveLength(30);
    expect(days.starts).toHaveLength(31);
    expect(days.starts[0]).toBe(at('2025-08-31T16:00:00Z'));
    expect(days.starts[30]).toBe(at('2025-09-30T16:00:00Z'));
    expect(days.starts[1] - days.starts[0]).toBe(86_400);
  });

  it('is computed once per period and calendar', () => {
    expect(periodDays(Period.parse('2025-09'))).toBe(periodDays(Period.parse('2025-09')));
  });
});
