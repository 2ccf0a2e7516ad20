import { billingCalendar } from '@cec/kernel';
import { validateSubscriptionChange } from './subscription-change.validator';

const good = {
  id: 'evt_1',
  occurredAt: '2025-11-01T00:00:05+08:00',
  subscriptionId: 'sub_1',
  accountId: 'acc_1',
  kind: 'enabled',
  effectiveAt: '2025-11-01T00:00:00.600+08:00',
  sequence: 1,
  productCode: 'voice-chatbot',
  quantity: 3,
  billingMode: 'pay_per_use',
  status: 'active',
  enabledAt: '2025-11-01T00:00:00+08:00',
  cancelledAt: null,
};

describe('validateSubscriptionChange (subscription.changed feeds the timeline)', () => {
  it('R2.2 / R3.2: a change becomes a state point at its effective instant, to the second', () => {
    expect(validateSubscriptionChange(good)).toEqual({
      ok: true,
      change: {
        eventId: 'evt_1',
        subscriptionId: 'sub_1',
        accountId: 'acc_1',
        kind: 'enabled',
        point: { kind: 'state', at: billingCalendar.parseInstant('2025-10-31T16:00:00Z').toSeconds(), status: 'active', productCode: 'voice-chatbot', quantity: 3, sequence: 1 },
      },
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['missing subscriptionId', { subscriptionId: undefined }, 'subscriptionId'],
    ['missing accountId', { accountId: '' }, 'accountId'],
    ['sequence 0', { sequence: 0 }, 'sequence'],
    ['fractional quantity', { quantity: 1.5 }, 'quantity'],
    ['negative quantity', { quantity: -1 }, 'quantity'],
    ['unknown status', { status: 'paused' }, 'status'],
    ['effectiveAt without an offset', { effectiveAt: '2025-11-01T00:00:00' }, 'effectiveAt'],
    ['missing productCode', { productCode: '' }, 'productCode'],
  ])('refuses %s with a message naming the field, keeping the id', (_case, patch, field) => {
    expect(validateSubscriptionChange({ ...good, ...patch })).toEqual({ ok: false, id: 'evt_1', code: 'VALIDATION_FAILED', message: expect.stringContaining(field) });
  });

  it('refuses what is not an event, without an id, and never throws', () => {
    for (const input of [null, 1, 'x', [good], { ...good, id: 'bad id' }]) {
      const result = validateSubscriptionChange(input);
      expect(result.ok).toBe(false);
      expect(result.ok === false && result.id).toBeNull();
    }
  });
});
