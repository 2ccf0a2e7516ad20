import { DateTime } from 'luxon';
import { billingCalendar } from '@cec/kernel';
import { EnableSubscriptionInput, Subscription, SubscriptionProduct, SubscriptionSnapshot } from './subscription';
import { expectRefusal, refusal } from './domain-error.testing';

const at = (iso: string): DateTime => DateTime.fromISO(iso, { setZone: true });

const basic: SubscriptionProduct = { code: 'basic-cec', unit: 'agent', billingModes: ['pay_per_use'] };
const professional: SubscriptionProduct = { code: 'professional-cec', unit: 'agent', billingModes: ['pay_per_use'] };
const advanced: SubscriptionProduct = { code: 'advanced-cec', unit: 'agent', billingModes: ['pay_per_use'] };
const voiceBot: SubscriptionProduct = { code: 'voice-chatbot', unit: 'channel', billingModes: ['pay_per_use'] };
const prepaidOnly: SubscriptionProduct = { code: 'legacy-cec', unit: 'agent', billingModes: ['prepaid'] };

const enableInput: EnableSubscriptionInput = {
  accountId: 'acc-1',
  productCode: 'basic-cec',
  quantity: 10,
  billingMode: 'pay_per_use',
  enabledAt: at('2026-04-16T09:30:00+08:00'),
};

function enabled(overrides: Partial<EnableSubscriptionInput> = {}, product: SubscriptionProduct = basic): Subscription {
  return Subscription.enable({ ...enableInput, ...overrides }, product);
}

describe('Subscription.enable', () => {
  it('R3.1/R3.2: enables a pay-per-use subscription at an instant with a quantity; its first change is sequence 1', () => {
    const subscription = enabled();
    expect(subscription.id).toMatch(/^sub_[0-9a-f]{32}$/);
    expect(subscription).toMatchObject({ accountId: 'acc-1', productCode: 'basic-cec', unit: 'agent', quantity: 10, billingMode: 'pay_per_use', status: 'active', version: 1 });
    expect(subscription.cancelledAt).toBeNull();
    expect(subscription.enabledAt.toISO()).toBe('2026-04-16T01:30:00.000Z');
    expect(subscription.lastChange).toEqual({
      sequence: 1,
      kind: 'enabled',
      effectiveAt: subscription.enabledAt,
      productCode: 'basic-cec',
      quantity: 10,
      billingMode: 'pay_per_use',
      status: 'active',
    });
  });

  it('keeps a client-chosen id and refuses a malformed one naming id (R8.1)', () => {
    expect(enabled({ id: 'sub-acme-1' }).id).toBe('sub-acme-1');
    expectRefusal(() => enabled({ id: 'no spaces please' }), 'VALIDATION_FAILED', /^id must be/);
    expectRefusal(() => enabled({ accountId: '' }), 'VALIDATION_FAILED', /^accountId must be/);
  });

  it('R3.2: keeps the instant to the second', () => {
    expect(enabled({ enabledAt: at('2026-04-16T09:30:00.999+08:00') }).enabledAt.toISO()).toBe('2026-04-16T01:30:00.000Z');
  });

  it.each([['subscription'], ['prepaid'], ['PAY_PER_USE']])('R3.1: refuses the billing mode %p with UNSUPPORTED_BILLING_MODE (400)', (billingMode) => {
    const error = expectRefusal(() => enabled({ billingMode }), 'UNSUPPORTED_BILLING_MODE', /^billingMode .* is not supported; the supported billing modes are: pay_per_use$/);
    expect(error.kind).toBe('validation');
  });

  it('R3.1: refuses pay_per_use where the product does not allow it', () => {
    expectRefusal(
      () => enabled({ productCode: 'legacy-cec' }, prepaidOnly),
      'UNSUPPORTED_BILLING_MODE',
      /billingMode "pay_per_use" is not allowed by product legacy-cec/,
    );
  });

  it('R3.1/R8.1: refuses a missing billing mode as a validation failure naming billingMode', () => {
    expectRefusal(() => enabled({ billingMode: '' }), 'VALIDATION_FAILED', /^billingMode must be one of: pay_per_use$/);
  });

  it.each([
    ['negative', -1],
    ['fractional', 1.5],
    ['NaN', Number.NaN],
    ['infinite', Number.POSITIVE_INFINITY],
    ['a string', '10'],
    ['above 1 000 000', 1_000_001],
  ])('R3.2: refuses a quantity that is %s, naming quantity', (_label, quantity) => {
    expectRefusal(() => enabled({ quantity: quantity as number }), 'VALIDATION_FAILED', /^quantity must be a whole number >= 0/);
  });

  it('R3.2: accepts the bounds 0 and 1 000 000', () => {
    expect(enabled({ quantity: 0 }).quantity).toBe(0);
    expect(enabled({ quantity: 1_000_000 }).quantity).toBe(1_000_000);
    expect(Object.is(enabled({ quantity: -0 }).quantity, 0)).toBe(true);
  });

  it('refuses an invalid instant naming enabledAt', () => {
    expectRefusal(() => enabled({ enabledAt: DateTime.invalid('bad') }), 'VALIDATION_FAILED', /^enabledAt must be a valid instant$/);
  });
});

describe('Subscription.change', () => {
  it('R3.2: changes the quantity at an instant, appending a quantity_changed record', () => {
    const subscription = enabled();
    const change = subscription.change({ effectiveAt: at('2026-04-20T10:00:00+08:00'), quantity: 12 });
    expect(change).toMatchObject({ sequence: 2, kind: 'quantity_changed', productCode: 'basic-cec', quantity: 12, billingMode: 'pay_per_use', status: 'active' });
    expect(change.effectiveAt.toISO()).toBe('2026-04-20T02:00:00.000Z');
    expect(subscription.quantity).toBe(12);
    expect(subscription.version).toBe(2);
    expect(subscription.lastChange).toBe(change);
  });

  it('R3.5: an edition change keeps the subscription and changes its product at the instant', () => {
    const subscription = enabled();
    const change = subscription.change({ effectiveAt: at('2026-04-20T10:00:00+08:00'), productCode: 'professional-cec' }, professional);
    expect(change).toMatchObject({ sequence: 2, kind: 'edition_changed', productCode: 'professional-cec', quantity: 10 });
    expect(subscription.productCode).toBe('professional-cec');
    expect(subscription.stateAt(at('2026-04-20T09:59:59+08:00'))?.productCode).toBe('basic-cec');
    expect(subscription.stateAt(at('2026-04-20T10:00:00+08:00'))?.productCode).toBe('professional-cec');
  });

  it('R3.5: a change of both edition and quantity is kind changed', () => {
    const subscription = enabled();
    expect(subscription.change({ effectiveAt: at('2026-04-20T10:00:00+08:00'), productCode: 'advanced-cec', quantity: 3 }, advanced)).toMatchObject({
      kind: 'changed',
      productCode: 'advanced-cec',
      quantity: 3,
    });
  });

  it('R3.5: restating the current product is not an edition change and needs no product', () => {
    const subscription = enabled();
    expect(subscription.change({ effectiveAt: at('2026-04-20T10:00:00+08:00'), productCode: 'basic-cec', quantity: 4 })).toMatchObject({
      kind: 'quantity_changed',
      productCode: 'basic-cec',
      quantity: 4,
    });
  });

  it('R3.5: refuses an edition change to a product billed in another unit (agent to channel)', () => {
    const subscription = enabled();
    expectRefusal(
      () => subscription.change({ effectiveAt: at('2026-04-20T10:00:00+08:00'), productCode: 'voice-chatbot' }, voiceBot),
      'VALIDATION_FAILED',
      /^productCode voice-chatbot is billed per channel but the subscription is billed per agent/,
    );
    expect(subscription.version).toBe(1);
  });

  it('R3.1/R3.5: refuses an edition change to a product that does not allow the billing mode', () => {
    const subscription = enabled();
    expectRefusal(
      () => subscription.change({ effectiveAt: at('2026-04-20T10:00:00+08:00'), productCode: 'legacy-cec' }, prepaidOnly),
      'UNSUPPORTED_BILLING_MODE',
      /pay_per_use.*is not allowed by product legacy-cec/,
    );
    expect(subscription.productCode).toBe('basic-cec');
  });

  it('an edition change without the new product is a programming error, not a client error', () => {
    const subscription = enabled();
    expect(() => subscription.change({ effectiveAt: at('2026-04-20T10:00:00+08:00'), productCode: 'professional-cec' })).toThrow(/needs the product professional-cec/);
    expect(() => subscription.change({ effectiveAt: at('2026-04-20T10:00:00+08:00'), productCode: 'professional-cec' }, advanced)).toThrow(/got advanced-cec/);
  });

  it('R8.1: refuses a change that gives neither quantity nor productCode', () => {
    expectRefusal(() => enabled().change({ effectiveAt: at('2026-04-20T10:00:00+08:00') }), 'VALIDATION_FAILED', /quantity and\/or productCode/);
  });

  it.each([[-1], [2.5], [1_000_001]])('R3.2: refuses the new quantity %p naming quantity', (quantity) => {
    const subscription = enabled();
    expectRefusal(() => subscription.change({ effectiveAt: at('2026-04-20T10:00:00+08:00'), quantity }), 'VALIDATION_FAILED', /^quantity must be a whole number >= 0/);
    expect(subscription.version).toBe(1);
  });

  it('R3.2/R8.1: refuses a change before the subscription was enabled (400) and changes nothing', () => {
    const subscription = enabled();
    const error = expectRefusal(
      () => subscription.change({ effectiveAt: at('2026-04-16T09:29:59+08:00'), quantity: 5 }),
      'VALIDATION_FAILED',
      /^effectiveAt must not be before the subscription was enabled \(2026-04-16T09:30:00\+08:00\)$/,
    );
    expect(error.kind).toBe('validation');
    expect(subscription.version).toBe(1);
    expect(subscription.quantity).toBe(10);
  });

  it('R3.2/R8.1: refuses a change earlier than the last change with CHANGE_BEFORE_LAST_CHANGE (409): history is append-only in time', () => {
    const subscription = enabled();
    subscription.change({ effectiveAt: at('2026-04-20T10:00:00+08:00'), quantity: 12 });
    const error = expectRefusal(
      () => subscription.change({ effectiveAt: at('2026-04-18T10:00:00+08:00'), quantity: 11 }),
      'CHANGE_BEFORE_LAST_CHANGE',
      /^effectiveAt must not be before the subscription's last change \(2026-04-20T10:00:00\+08:00\)/,
    );
    expect(error.kind).toBe('conflict');
    expect(subscription.version).toBe(2);
  });

  it('R3.2: accepts a change at exactly the instant of the last change, and the later record wins', () => {
    const subscription = enabled();
    subscription.change({ effectiveAt: at('2026-04-20T10:00:00+08:00'), quantity: 12 });
    subscription.change({ effectiveAt: at('2026-04-20T02:00:00Z'), quantity: 13 });
    expect(subscription.quantityAt(at('2026-04-20T10:00:00+08:00'))).toBe(13);
    // and at exactly the instant of enabling
    const other = enabled();
    expect(other.change({ effectiveAt: other.enabledAt, quantity: 2 }).sequence).toBe(2);
    expect(other.quantityAt(other.enabledAt)).toBe(2);
  });

  it('R3.2/R8.1: refuses any change of a cancelled subscription with SUBSCRIPTION_NOT_ACTIVE (409)', () => {
    const subscription = enabled();
    subscription.cancel({ effectiveAt: at('2026-04-25T00:00:00+08:00') });
    const error = expectRefusal(
      () => subscription.change({ effectiveAt: at('2026-04-26T00:00:00+08:00'), quantity: 1 }),
      'SUBSCRIPTION_NOT_ACTIVE',
      /was cancelled at 2026-04-25T00:00:00\+08:00/,
    );
    expect(error.kind).toBe('conflict');
    expect(subscription.version).toBe(2);
  });
});

describe('Subscription.cancel', () => {
  it('R3.2: cancels at an instant; from then on the quantity in force is 0', () => {
    const subscription = enabled();
    const change = subscription.cancel({ effectiveAt: at('2026-04-25T12:00:00+08:00') });
    expect(change).toMatchObject({ sequence: 2, kind: 'cancelled', productCode: 'basic-cec', quantity: 0, billingMode: 'pay_per_use', status: 'cancelled' });
    expect(subscription.status).toBe('cancelled');
    expect(subscription.quantity).toBe(0);
    expect(subscription.cancelledAt?.toISO()).toBe('2026-04-25T04:00:00.000Z');
    expect(subscription.quantityAt(at('2026-04-25T11:59:59+08:00'))).toBe(10);
    expect(subscription.quantityAt(at('2026-04-25T12:00:00+08:00'))).toBe(0);
    expect(subscription.quantityAt(at('2030-01-01T00:00:00+08:00'))).toBe(0);
  });

  it('R3.2: before enabling the quantity is 0', () => {
    const subscription = enabled();
    expect(subscription.quantityAt(at('2026-04-16T09:29:59+08:00'))).toBe(0);
    expect(subscription.stateAt(at('2026-04-16T09:29:59+08:00'))).toBeNull();
    expect(subscription.quantityAt(at('2026-04-16T09:30:00+08:00'))).toBe(10);
  });

  it('R3.2/R8.1: the same time rules apply: before enabling (400), before the last change (409), twice (409)', () => {
    const subscription = enabled();
    expectRefusal(() => subscription.cancel({ effectiveAt: at('2026-04-01T00:00:00+08:00') }), 'VALIDATION_FAILED', /^effectiveAt must not be before the subscription was enabled/);
    subscription.change({ effectiveAt: at('2026-04-20T00:00:00+08:00'), quantity: 1 });
    expectRefusal(() => subscription.cancel({ effectiveAt: at('2026-04-19T23:59:59+08:00') }), 'CHANGE_BEFORE_LAST_CHANGE', /append-only in time/);
    subscription.cancel({ effectiveAt: at('2026-04-21T00:00:00+08:00') });
    expectRefusal(() => subscription.cancel({ effectiveAt: at('2026-04-22T00:00:00+08:00') }), 'SUBSCRIPTION_NOT_ACTIVE', /cannot change any more/);
    expect(subscription.version).toBe(3);
  });
});

describe('Subscription.requestBillingModeChange (R3.3)', () => {
  it('R3.3/R3.1: refuses a request for another mode with UNSUPPORTED_BILLING_MODE, since only pay_per_use exists', () => {
    const subscription = enabled();
    expectRefusal(
      () => subscription.requestBillingModeChange('subscription', at('2026-04-20T00:00:00+08:00'), billingCalendar, basic),
      'UNSUPPORTED_BILLING_MODE',
      /^billingMode "subscription" is not supported/,
    );
    expect(subscription.pendingBillingModeChange).toBeNull();
    expect(subscription.version).toBe(1);
  });

  it('R3.3: a request for the mode in force is a no-op', () => {
    const subscription = enabled();
    expect(subscription.requestBillingModeChange('pay_per_use', at('2026-04-20T00:00:00+08:00'), billingCalendar)).toBeNull();
    expect(subscription.pendingBillingModeChange).toBeNull();
    expect(subscription.version).toBe(1);
  });

  it('R3.3: the same time rules apply to a request', () => {
    const subscription = enabled();
    expectRefusal(() => subscription.requestBillingModeChange('pay_per_use', at('2026-04-01T00:00:00+08:00'), billingCalendar), 'VALIDATION_FAILED', /^requestedAt must not be before/);
    subscription.cancel({ effectiveAt: at('2026-04-20T00:00:00+08:00') });
    expectRefusal(() => subscription.requestBillingModeChange('pay_per_use', at('2026-04-21T00:00:00+08:00'), billingCalendar), 'SUBSCRIPTION_NOT_ACTIVE', /cancelled/);
  });

  it('R3.3: a pending mode change (restored) is recorded at the start of the next period, before a later change', () => {
    const base = enabled().snapshot();
    const snapshot: SubscriptionSnapshot = {
      ...base,
      pendingBillingModeChange: {
        billingMode: 'pay_per_use',
        requestedAt: at('2026-04-20T00:00:00+08:00'),
        effectiveAt: billingCalendar.endOfPeriod(billingCalendar.periodOf(at('2026-04-20T00:00:00+08:00'))),
      },
    };
    const subscription = Subscription.restore(snapshot);
    // a change inside April leaves it pending
    subscription.change({ effectiveAt: at('2026-04-30T23:59:59+08:00'), quantity: 11 });
    expect(subscription.pendingBillingModeChange).not.toBeNull();
    // a change in May records it first, at 00:00 UTC+8 on May 1
    const before = subscription.version;
    const change = subscription.change({ effectiveAt: at('2026-05-03T00:00:00+08:00'), quantity: 12 });
    const recorded = subscription.changesAfter(before);
    expect(recorded.map((c) => [c.sequence, c.kind, billingCalendar.formatInstant(c.effectiveAt), c.quantity])).toEqual([
      [3, 'changed', '2026-05-01T00:00:00+08:00', 11],
      [4, 'quantity_changed', '2026-05-03T00:00:00+08:00', 12],
    ]);
    expect(recorded[1]).toBe(change);
    expect(subscription.pendingBillingModeChange).toBeNull();
  });

  it('R3.3: a cancellation before the pending mode change takes effect drops it', () => {
    const base = enabled().snapshot();
    const subscription = Subscription.restore({
      ...base,
      pendingBillingModeChange: { billingMode: 'pay_per_use', requestedAt: at('2026-04-20T00:00:00+08:00'), effectiveAt: at('2026-05-01T00:00:00+08:00') },
    });
    subscription.cancel({ effectiveAt: at('2026-04-30T00:00:00+08:00') });
    expect(subscription.pendingBillingModeChange).toBeNull();
    expect(subscription.version).toBe(2);
    expect(subscription.applyDueBillingModeChange(at('2026-05-02T00:00:00+08:00'))).toBeNull();
  });
});

describe('history (R3.2, R3.4 append-only in time)', () => {
  it('keeps every change in sequence order with non-decreasing instants, and answers the state at any instant', () => {
    const subscription = enabled({ quantity: 10 });
    subscription.change({ effectiveAt: at('2026-04-18T00:00:00+08:00'), quantity: 15 });
    subscription.change({ effectiveAt: at('2026-04-20T10:00:00+08:00'), productCode: 'professional-cec' }, professional);
    subscription.change({ effectiveAt: at('2026-04-20T10:00:00+08:00'), quantity: 8 });
    subscription.cancel({ effectiveAt: at('2026-04-28T00:00:00+08:00') });

    const history = subscription.changes;
    expect(history.map((c) => c.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(history.map((c) => c.kind)).toEqual(['enabled', 'quantity_changed', 'edition_changed', 'quantity_changed', 'cancelled']);
    for (let i = 1; i < history.length; i += 1) {
      expect(history[i].effectiveAt.toMillis()).toBeGreaterThanOrEqual(history[i - 1].effectiveAt.toMillis());
    }
    expect(subscription.quantityAt(at('2026-04-17T00:00:00+08:00'))).toBe(10);
    expect(subscription.quantityAt(at('2026-04-19T00:00:00+08:00'))).toBe(15);
    expect(subscription.stateAt(at('2026-04-21T00:00:00+08:00'))).toMatchObject({ sequence: 4, productCode: 'professional-cec', quantity: 8 });
    expect(subscription.changesAfter(3).map((c) => c.sequence)).toEqual([4, 5]);
  });

  it('hands out copies: the history cannot be altered from outside', () => {
    const subscription = enabled();
    const copy = subscription.changes as unknown as unknown[];
    copy.push('junk');
    expect(subscription.changes).toHaveLength(1);
    expect(Object.isFrozen(subscription.lastChange)).toBe(true);
  });
});

describe('snapshot and restore', () => {
  it('round-trips a subscription with its history', () => {
    const subscription = enabled({ id: 'sub-1' });
    subscription.change({ effectiveAt: at('2026-04-20T10:00:00+08:00'), quantity: 12 });
    subscription.cancel({ effectiveAt: at('2026-04-25T00:00:00+08:00') });
    const restored = Subscription.restore(subscription.snapshot());
    expect(restored.snapshot()).toEqual(subscription.snapshot());
    expect(restored.cancelledAt?.toMillis()).toBe(at('2026-04-25T00:00:00+08:00').toMillis());
    expectRefusal(() => restored.change({ effectiveAt: at('2026-04-26T00:00:00+08:00'), quantity: 1 }), 'SUBSCRIPTION_NOT_ACTIVE', /cancelled/);
  });

  it('restores a history given in any order and refuses an inconsistent snapshot', () => {
    const subscription = enabled({ id: 'sub-1' });
    subscription.change({ effectiveAt: at('2026-04-20T10:00:00+08:00'), quantity: 12 });
    const snapshot = subscription.snapshot();
    expect(Subscription.restore({ ...snapshot, changes: [...snapshot.changes].reverse() }).quantity).toBe(12);
    expect(() => Subscription.restore({ ...snapshot, quantity: 99 })).toThrow(/does not match its last change \(quantity\)/);
    expect(() => Subscription.restore({ ...snapshot, changes: [] })).toThrow(/must start with an enabled change/);
    expect(() => Subscription.restore({ ...snapshot, changes: [snapshot.changes[0], { ...snapshot.changes[1], sequence: 3 }] })).toThrow(/sequences must run 1..n/);
    expect(() =>
      Subscription.restore({ ...snapshot, changes: [snapshot.changes[0], { ...snapshot.changes[1], effectiveAt: at('2026-01-01T00:00:00Z') }] }),
    ).toThrow(/earlier than change 1/);
  });
});

describe('toChangedEvent (subscription.changed)', () => {
  it('maps a change to the full new state, instants in UTC+8 to the second', () => {
    const subscription = enabled({ id: 'sub-1' });
    const change = subscription.change({ effectiveAt: at('2026-04-20T02:00:00Z'), productCode: 'professional-cec', quantity: 12 }, professional);
    expect(subscription.toChangedEvent(change, 'evt-2', at('2026-04-20T02:00:05.123Z'))).toEqual({
      id: 'evt-2',
      occurredAt: '2026-04-20T10:00:05+08:00',
      subscriptionId: 'sub-1',
      accountId: 'acc-1',
      kind: 'changed',
      effectiveAt: '2026-04-20T10:00:00+08:00',
      sequence: 2,
      productCode: 'professional-cec',
      quantity: 12,
      billingMode: 'pay_per_use',
      status: 'active',
      enabledAt: '2026-04-16T09:30:00+08:00',
      cancelledAt: null,
    });
  });

  it('maps the enabling and the cancellation (cancelledAt set, quantity 0)', () => {
    const subscription = enabled({ id: 'sub-1' });
    const first = subscription.lastChange;
    const cancel = subscription.cancel({ effectiveAt: at('2026-04-30T16:00:00Z') });
    expect(subscription.toChangedEvent(first, 'evt-1', first.effectiveAt)).toMatchObject({ kind: 'enabled', sequence: 1, quantity: 10, status: 'active', cancelledAt: null });
    expect(subscription.toChangedEvent(cancel, 'evt-3', cancel.effectiveAt)).toMatchObject({
      kind: 'cancelled',
      sequence: 2,
      quantity: 0,
      status: 'cancelled',
      effectiveAt: '2026-05-01T00:00:00+08:00',
      cancelledAt: '2026-05-01T00:00:00+08:00',
    });
  });
});

describe('instants with different offsets (R2.3)', () => {
  it('2025-08-31T16:00:00Z is enabled at 2025-09-01 00:00 +08:00 and belongs to September', () => {
    const subscription = enabled({ id: 'sub-sep', enabledAt: at('2025-08-31T16:00:00Z') });
    expect(billingCalendar.formatInstant(subscription.enabledAt)).toBe('2025-09-01T00:00:00+08:00');
    expect(billingCalendar.periodOf(subscription.enabledAt).toString()).toBe('2025-09');
    expect(subscription.toChangedEvent(subscription.lastChange, 'e', subscription.enabledAt).enabledAt).toBe('2025-09-01T00:00:00+08:00');
  });

  it('compares instants, not their texts: the same instant in another offset is not "before enabling"', () => {
    const subscription = enabled({ enabledAt: at('2025-08-31T16:00:00Z') });
    expectRefusal(() => subscription.change({ effectiveAt: at('2025-08-31T23:59:59+08:00'), quantity: 1 }), 'VALIDATION_FAILED', /before the subscription was enabled \(2025-09-01T00:00:00\+08:00\)/);
    expect(subscription.change({ effectiveAt: at('2025-08-31T12:00:00-04:00'), quantity: 2 }).sequence).toBe(2);
    expect(subscription.change({ effectiveAt: at('2025-09-01T00:00:00+08:00'), quantity: 3 }).sequence).toBe(3);
    // 2025-09-01T05:00:00+09:00 is 2025-08-31T20:00:00Z: later, though its text sorts first
    expect(subscription.change({ effectiveAt: at('2025-09-01T05:00:00+09:00'), quantity: 4 }).sequence).toBe(4);
    expectRefusal(() => subscription.change({ effectiveAt: at('2025-08-31T19:59:59Z'), quantity: 5 }), 'CHANGE_BEFORE_LAST_CHANGE', /2025-09-01T04:00:00\+08:00/);
    expect(subscription.quantityAt(at('2025-08-31T15:59:59Z'))).toBe(0);
    expect(subscription.quantityAt(at('2025-09-01T04:00:00+08:00'))).toBe(4);
  });

  it('refusals never change state (R8.1)', () => {
    const subscription = enabled();
    const before = subscription.snapshot();
    for (const action of [
      () => subscription.change({ effectiveAt: at('2026-04-01T00:00:00Z'), quantity: 1 }),
      () => subscription.change({ effectiveAt: at('2026-04-20T00:00:00Z'), quantity: -1 }),
      () => subscription.change({ effectiveAt: at('2026-04-20T00:00:00Z'), productCode: 'voice-chatbot' }, voiceBot),
      () => subscription.requestBillingModeChange('prepaid', at('2026-04-20T00:00:00Z'), billingCalendar, basic),
    ]) {
      refusal(action);
    }
    expect(subscription.snapshot()).toEqual(before);
  });
});
