import { DateTime } from 'luxon';
import { billingCalendar } from '@cec/kernel';
import { billingModeChangeEffectiveAt, describeValue, isSupportedBillingMode, MAX_QUANTITY, parseBillingMode, parseQuantity, SUPPORTED_BILLING_MODES } from './subscription.rules';
import { expectRefusal } from './domain-error.testing';

const at = (iso: string): DateTime => DateTime.fromISO(iso, { setZone: true });

describe('billing modes (R3.1)', () => {
  it('R3.1: supports only pay_per_use', () => {
    expect(SUPPORTED_BILLING_MODES).toEqual(['pay_per_use']);
    expect(isSupportedBillingMode('pay_per_use')).toBe(true);
    expect(isSupportedBillingMode('prepaid')).toBe(false);
    expect(parseBillingMode('pay_per_use')).toBe('pay_per_use');
  });

  it('R3.1: refuses other modes with UNSUPPORTED_BILLING_MODE and malformed ones with VALIDATION_FAILED', () => {
    expectRefusal(() => parseBillingMode('monthly'), 'UNSUPPORTED_BILLING_MODE', /^billingMode "monthly" is not supported/);
    expectRefusal(() => parseBillingMode(undefined), 'VALIDATION_FAILED', /^billingMode must be one of: pay_per_use$/);
    expectRefusal(() => parseBillingMode(3), 'VALIDATION_FAILED', /^billingMode must be/);
  });
});

describe('quantities (R3.2)', () => {
  it('R3.2: a whole number from 0 to 1 000 000', () => {
    expect(parseQuantity(0)).toBe(0);
    expect(parseQuantity(MAX_QUANTITY)).toBe(MAX_QUANTITY);
    expectRefusal(() => parseQuantity(-1), 'VALIDATION_FAILED', /^quantity must be a whole number >= 0$/);
    expectRefusal(() => parseQuantity(0.5), 'VALIDATION_FAILED', /^quantity must be a whole number >= 0$/);
    expectRefusal(() => parseQuantity(null), 'VALIDATION_FAILED', /^quantity must be a whole number >= 0$/);
    expectRefusal(() => parseQuantity(MAX_QUANTITY + 1), 'VALIDATION_FAILED', /^quantity must be a whole number >= 0 and at most 1000000$/);
  });
});

describe('billingModeChangeEffectiveAt (R3.3, R2.1, R2.3)', () => {
  it.each([
    ['2026-04-20T10:00:00+08:00', '2026-05-01T00:00:00+08:00'],
    ['2026-04-01T00:00:00+08:00', '2026-05-01T00:00:00+08:00'],
    ['2026-04-30T23:59:59+08:00', '2026-05-01T00:00:00+08:00'],
    // R2.3: 2026-01-31T17:00:00Z is already February in UTC+8
    ['2026-01-31T17:00:00Z', '2026-03-01T00:00:00+08:00'],
    ['2026-01-31T15:59:59Z', '2026-02-01T00:00:00+08:00'],
    ['2025-12-15T00:00:00-05:00', '2026-01-01T00:00:00+08:00'],
  ])('R3.3: a request at %s takes effect at %s, the start of the next period', (requested, expected) => {
    const effective = billingModeChangeEffectiveAt(at(requested), billingCalendar);
    expect(billingCalendar.formatInstant(effective)).toBe(expected);
    expect(effective.zoneName).toBe('UTC');
  });
});

describe('describeValue', () => {
  it('renders values briefly for error sentences', () => {
    expect(describeValue('x')).toBe('"x"');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue('y'.repeat(100))).toHaveLength(60);
  });
});
