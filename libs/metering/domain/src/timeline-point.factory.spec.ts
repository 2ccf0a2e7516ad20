import { billingCalendar, DomainError, Period } from '@cec/kernel';
import { subscriptionStatePoint, usagePoint } from './timeline-point.factory';
import { dailyUsage } from './usage-timeline';
import { validateUsageEvent } from './usage-event.validator';

describe('timeline point factories (R2.2, R3.4)', () => {
  it('R2.2: a subscription change becomes a state point at its effective instant, to the second', () => {
    const point = subscriptionStatePoint({ effectiveAt: '2025-07-09T15:20:00.700+08:00', sequence: 1, productCode: 'basic-cec', quantity: 6, status: 'active' });
    expect(point).toEqual({ kind: 'state', at: billingCalendar.parseInstant('2025-07-09T07:20:00Z').toSeconds(), sequence: 1, productCode: 'basic-cec', quantity: 6, status: 'active' });
  });

  it('R2.2: refuses an effective instant without an offset', () => {
    expect(() => subscriptionStatePoint({ effectiveAt: '2025-07-09T15:20:00', sequence: 1, productCode: 'basic-cec', quantity: 6, status: 'active' })).toThrow(DomainError);
  });

  it('E3 / R3.4: validated usage events feed the timeline as usage points', () => {
    const enable = subscriptionStatePoint({ effectiveAt: '2025-11-01T00:00:00+08:00', sequence: 1, productCode: 'voice-chatbot', quantity: 3, status: 'active' });
    const events = [
      { id: 'u-2', subscriptionId: 'sub_1', quantity: 3, timestamp: '2025-11-05T10:05:00+08:00' },
      { id: 'u-1', subscriptionId: 'sub_1', quantity: 9, timestamp: '2025-11-05T02:00:00Z' },
    ].map((raw) => {
      const result = validateUsageEvent(raw);
      if (!result.ok) throw new Error(result.message);
      return usagePoint(result.event);
    });
    expect(events[1]).toEqual({ kind: 'usage', at: billingCalendar.parseInstant('2025-11-05T10:00:00+08:00').toSeconds(), quantity: 9, eventId: 'u-1' });
    const days = dailyUsage([enable, ...events], Period.parse('2025-11'));
    expect(days.reduce((sum, day) => sum + day.quantity, 0)).toBe(96);
  });
});
