import { parseBillingModeChangeCommand, parseCancelCommand, parseChangeCommand, parseCreateAccountCommand, parseCreateSubscriptionCommand } from './commands.parser';
import { expectRefusal } from './domain-error.testing';

const createBody = {
  accountId: 'acc-1',
  productCode: 'basic-cec',
  quantity: 10,
  billingMode: 'pay_per_use',
  enabledAt: '2026-04-16T09:30:00+08:00',
};

describe('parseCreateAccountCommand (R8.1)', () => {
  it('reads {name, id?}', () => {
    expect(parseCreateAccountCommand({ name: ' Acme ' })).toEqual({ name: 'Acme' });
    expect(parseCreateAccountCommand({ name: 'Acme', id: 'acme' })).toEqual({ id: 'acme', name: 'Acme' });
  });

  it('R8.1: names the field', () => {
    expectRefusal(() => parseCreateAccountCommand({}), 'VALIDATION_FAILED', /^name must be a non-empty string$/);
    expectRefusal(() => parseCreateAccountCommand({ name: 'Acme', id: '' }), 'VALIDATION_FAILED', /^id must be/);
    expectRefusal(() => parseCreateAccountCommand('Acme'), 'VALIDATION_FAILED', /^the request body must be a JSON object$/);
  });
});

describe('parseCreateSubscriptionCommand (R3.1, R3.2, R8.1)', () => {
  it('reads a valid body; instants are UTC to the second', () => {
    const command = parseCreateSubscriptionCommand({ ...createBody, enabledAt: '2026-04-16T09:30:00.600+08:00' });
    expect(command).toMatchObject({ accountId: 'acc-1', productCode: 'basic-cec', quantity: 10, billingMode: 'pay_per_use' });
    expect(command.enabledAt.toISO()).toBe('2026-04-16T01:30:00.000Z');
    expect('id' in command).toBe(false);
    expect(parseCreateSubscriptionCommand({ ...createBody, id: 'sub-7' }).id).toBe('sub-7');
  });

  it('R2.3: the same instant written with different offsets parses to the same instant', () => {
    const utc = parseCreateSubscriptionCommand({ ...createBody, enabledAt: '2025-08-31T16:00:00Z' }).enabledAt;
    const shanghai = parseCreateSubscriptionCommand({ ...createBody, enabledAt: '2025-09-01T00:00:00+08:00' }).enabledAt;
    const newYork = parseCreateSubscriptionCommand({ ...createBody, enabledAt: '2025-08-31T12:00:00-04:00' }).enabledAt;
    expect(utc.toMillis()).toBe(shanghai.toMillis());
    expect(newYork.toMillis()).toBe(shanghai.toMillis());
  });

  it.each([
    ['a missing accountId', { accountId: undefined }, 'VALIDATION_FAILED', /^accountId must be/],
    ['an empty productCode', { productCode: '' }, 'VALIDATION_FAILED', /^productCode must be 1-63 lowercase letters, digits or dashes/],
    ['a negative quantity', { quantity: -3 }, 'VALIDATION_FAILED', /^quantity must be a whole number >= 0$/],
    ['a fractional quantity', { quantity: 2.5 }, 'VALIDATION_FAILED', /^quantity must be a whole number >= 0$/],
    ['a quantity given as a string', { quantity: '10' }, 'VALIDATION_FAILED', /^quantity must be a whole number >= 0$/],
    ['a missing quantity', { quantity: undefined }, 'VALIDATION_FAILED', /^quantity must be a whole number >= 0$/],
    ['a quantity above 1 000 000', { quantity: 1_000_001 }, 'VALIDATION_FAILED', /^quantity must be a whole number >= 0 and at most 1000000$/],
    ['another billing mode', { billingMode: 'prepaid' }, 'UNSUPPORTED_BILLING_MODE', /^billingMode "prepaid" is not supported/],
    ['a missing billing mode', { billingMode: undefined }, 'VALIDATION_FAILED', /^billingMode must be one of: pay_per_use$/],
    ['an instant without offset', { enabledAt: '2026-04-16T09:30:00' }, 'VALIDATION_FAILED', /^enabledAt must be an ISO-8601 instant with an offset/],
    ['a date only', { enabledAt: '2026-04-16' }, 'VALIDATION_FAILED', /^enabledAt must be an ISO-8601 instant with an offset/],
    ['an impossible instant', { enabledAt: '2026-02-30T00:00:00Z' }, 'VALIDATION_FAILED', /^enabledAt is not a valid instant/],
    ['an epoch number', { enabledAt: 1776303000 }, 'VALIDATION_FAILED', /^enabledAt must be an ISO-8601 instant/],
    ['a malformed id', { id: 'a b' }, 'VALIDATION_FAILED', /^id must be/],
  ] as const)('R3.1/R3.2/R8.1: refuses %s, naming the field', (_label, patch, code, message) => {
    expectRefusal(() => parseCreateSubscriptionCommand({ ...createBody, ...patch }), code, message);
  });

  it('R8.1: refuses a body that is not an object', () => {
    for (const body of [null, undefined, [], 'x', 3]) {
      expectRefusal(() => parseCreateSubscriptionCommand(body), 'VALIDATION_FAILED', /^the request body must be a JSON object$/);
    }
  });
});

describe('parseChangeCommand (R3.2, R3.5, R8.1)', () => {
  it('reads a quantity change, an edition change, or both', () => {
    expect(parseChangeCommand({ effectiveAt: '2026-04-20T10:00:00+08:00', quantity: 0 })).toMatchObject({ quantity: 0 });
    const edition = parseChangeCommand({ effectiveAt: '2026-04-20T02:00:00Z', productCode: 'professional-cec' });
    expect(edition).toMatchObject({ productCode: 'professional-cec' });
    expect('quantity' in edition).toBe(false);
    expect(parseChangeCommand({ effectiveAt: '2026-04-20T02:00:00Z', productCode: 'advanced-cec', quantity: 4 })).toMatchObject({ productCode: 'advanced-cec', quantity: 4 });
    expect(edition.effectiveAt.toISO()).toBe('2026-04-20T02:00:00.000Z');
  });

  it('R8.1: refuses bad fields, naming them', () => {
    expectRefusal(() => parseChangeCommand({ effectiveAt: '2026-04-20T02:00:00Z' }), 'VALIDATION_FAILED', /^a change must give quantity and\/or productCode$/);
    expectRefusal(() => parseChangeCommand({ quantity: 3 }), 'VALIDATION_FAILED', /^effectiveAt must be an ISO-8601 instant with an offset/);
    expectRefusal(() => parseChangeCommand({ effectiveAt: '2026-04-20T02:00:00Z', quantity: 1.5 }), 'VALIDATION_FAILED', /^quantity must be a whole number >= 0$/);
    expectRefusal(() => parseChangeCommand({ effectiveAt: '2026-04-20T02:00:00Z', quantity: null }), 'VALIDATION_FAILED', /^quantity must be/);
    expectRefusal(() => parseChangeCommand({ effectiveAt: '2026-04-20T02:00:00Z', productCode: 42 }), 'VALIDATION_FAILED', /^productCode must be/);
  });
});

describe('parseCancelCommand (R3.2, R8.1)', () => {
  it('reads {effectiveAt}', () => {
    expect(parseCancelCommand({ effectiveAt: '2026-04-30T16:00:00Z' }).effectiveAt.toISO()).toBe('2026-04-30T16:00:00.000Z');
  });

  it('R8.1: refuses a missing or offset-less effectiveAt, naming it', () => {
    expectRefusal(() => parseCancelCommand({}), 'VALIDATION_FAILED', /^effectiveAt must be an ISO-8601 instant with an offset/);
    expectRefusal(() => parseCancelCommand({ effectiveAt: '2026-04-30 16:00' }), 'VALIDATION_FAILED', /^effectiveAt must be an ISO-8601 instant/);
  });
});

describe('parseBillingModeChangeCommand (R3.1, R3.3, R8.1)', () => {
  it('reads {billingMode, requestedAt}; the instant is UTC to the second', () => {
    const command = parseBillingModeChangeCommand({ billingMode: 'pay_per_use', requestedAt: '2026-04-20T10:00:00.900+08:00' });
    expect(command.billingMode).toBe('pay_per_use');
    expect(command.requestedAt.toISO()).toBe('2026-04-20T02:00:00.000Z');
  });

  it('R3.1: refuses a mode the platform does not support with UNSUPPORTED_BILLING_MODE naming billingMode', () => {
    expectRefusal(() => parseBillingModeChangeCommand({ billingMode: 'monthly', requestedAt: '2026-04-20T02:00:00Z' }), 'UNSUPPORTED_BILLING_MODE', /^billingMode "monthly" is not supported/);
  });

  it('R8.1: refuses a missing mode or instant, naming the field', () => {
    expectRefusal(() => parseBillingModeChangeCommand({ requestedAt: '2026-04-20T02:00:00Z' }), 'VALIDATION_FAILED', /^billingMode must be one of/);
    expectRefusal(() => parseBillingModeChangeCommand({ billingMode: 'pay_per_use' }), 'VALIDATION_FAILED', /^requestedAt must be an ISO-8601 instant/);
    expectRefusal(() => parseBillingModeChangeCommand([]), 'VALIDATION_FAILED', /JSON object/);
  });
});
