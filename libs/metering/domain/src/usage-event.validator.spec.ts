import { billingCalendar } from '@cec/kernel';
import { MAX_USAGE_QUANTITY, unknownSubscriptionRejection, USAGE_EVENT_REJECTION_CODES, validateUsageEvent } from './usage-event.validator';

const good = { id: 'evt-1', subscriptionId: 'sub_0123abcd', quantity: 5, timestamp: '2025-11-05T10:00:00+08:00' };

describe('validateUsageEvent (R6.3 malformed events are refused with a reason)', () => {
  it('R6.1 / R2.2: accepts a well-formed event and keeps its instant to the second', () => {
    expect(validateUsageEvent({ ...good, timestamp: '2025-11-05T02:00:00.999Z' })).toEqual({
      ok: true,
      event: { id: 'evt-1', subscriptionId: 'sub_0123abcd', quantity: 5, at: billingCalendar.parseInstant('2025-11-05T10:00:00+08:00').toSeconds() },
    });
  });

  it('R3.2: accepts quantity 0 and the largest allowed quantity', () => {
    expect(validateUsageEvent({ ...good, quantity: 0 }).ok).toBe(true);
    expect(validateUsageEvent({ ...good, quantity: MAX_USAGE_QUANTITY }).ok).toBe(true);
    const negativeZero = validateUsageEvent({ ...good, quantity: -0 });
    expect(negativeZero.ok && Object.is(negativeZero.event.quantity, 0)).toBe(true);
  });

  it('R6.3: ignores fields other than the four of the contract', () => {
    expect(validateUsageEvent({ ...good, extra: { nested: true } }).ok).toBe(true);
  });

  it.each<[string, unknown, string]>([
    ['not an object (null)', null, 'usage event'],
    ['not an object (array)', [good], 'usage event'],
    ['not an object (string)', JSON.stringify(good), 'usage event'],
    ['missing id', { ...good, id: undefined }, 'id is required'],
    ['empty id', { ...good, id: '' }, 'id is required'],
    ['id not a string', { ...good, id: 42 }, 'id must be'],
    ['id with a space', { ...good, id: 'evt 1' }, 'id must be'],
    ['id too long', { ...good, id: 'e'.repeat(129) }, 'id must be'],
  ])('R6.3: refuses %s, with a null id and a message naming the field', (_case, input, message) => {
    const result = validateUsageEvent(input);
    expect(result).toEqual({ ok: false, id: null, code: 'VALIDATION_FAILED', message: expect.stringContaining(message) });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['missing subscriptionId', { subscriptionId: undefined }, 'subscriptionId is required'],
    ['null subscriptionId', { subscriptionId: null }, 'subscriptionId is required'],
    ['subscriptionId not a string', { subscriptionId: 7 }, 'subscriptionId'],
    ['missing quantity', { quantity: undefined }, 'quantity is required'],
    ['negative quantity', { quantity: -1 }, 'quantity must be a whole number'],
    ['fractional quantity', { quantity: 2.5 }, 'quantity must be a whole number'],
    ['quantity as a string', { quantity: '5' }, 'quantity must be a whole number'],
    ['NaN quantity', { quantity: Number.NaN }, 'quantity must be a whole number'],
    ['infinite quantity', { quantity: Number.POSITIVE_INFINITY }, 'quantity must be a whole number'],
    ['too large a quantity', { quantity: MAX_USAGE_QUANTITY + 1 }, 'quantity must be a whole number'],
    ['boolean quantity', { quantity: true }, 'quantity must be a whole number'],
    ['missing timestamp', { timestamp: undefined }, 'timestamp is required'],
    ['timestamp without an offset', { timestamp: '2025-11-05T10:00:00' }, 'timestamp must be an ISO-8601 instant with an offset'],
    ['date-only timestamp', { timestamp: '2025-11-05' }, 'timestamp must be'],
    ['garbage timestamp', { timestamp: 'yesterday' }, 'timestamp must be'],
    ['numeric timestamp', { timestamp: 1762308000 }, 'timestamp must be'],
    ['impossible date', { timestamp: '2025-02-30T10:00:00+08:00' }, 'timestamp is not a valid instant'],
    ['impossible hour', { timestamp: '2025-11-05T25:00:00+08:00' }, 'timestamp is not a valid instant'],
    ['timestamp in no billable month', { timestamp: '1969-06-01T00:00:00Z' }, 'timestamp'],
  ])('R6.3: refuses %s, keeping the id for the dead letter', (_case, patch, message) => {
    const result = validateUsageEvent({ ...good, ...patch });
    expect(result).toEqual({ ok: false, id: 'evt-1', code: USAGE_EVENT_REJECTION_CODES.VALIDATION_FAILED, message: expect.stringContaining(message) });
  });

  it('R6.3: unknown subscription is the caller\'s decision, with its own code and the id kept', () => {
    const result = validateUsageEvent(good);
    if (!result.ok) {
      throw new Error('expected a valid event');
    }
    expect(unknownSubscriptionRejection(result.event)).toEqual({
      ok: false,
      id: 'evt-1',
      code: 'UNKNOWN_SUBSCRIPTION',
      message: 'subscriptionId sub_0123abcd is not a known subscription',
    });
  });

  it('R6.3: never throws, whatever it is handed', () => {
    for (const input of [undefined, 0, true, Symbol('x'), () => good, new Date(0), { id: {}, subscriptionId: [], quantity: {}, timestamp: {} }]) {
      expect(validateUsageEvent(input).ok).toBe(false);
    }
  });
});
