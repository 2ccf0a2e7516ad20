import { DateTime } from 'luxon';
import { BillingCalendar, CLIENT_ID_RULE, DomainError, isValidClientId, MAX_QUANTITY, PRODUCT_CODE_PATTERN, PRODUCT_CODE_RULE, quantityProblem } from '@cec/kernel';
import type { BillingMode } from '@cec/contracts';

/** R3.1: the billing modes the platform supports. Only pay-per-use exists today. */
export const SUPPORTED_BILLING_MODES: readonly BillingMode[] = ['pay_per_use'];

/** R3.2, #8.5: the largest quantity (agents or channels): one limit for the whole platform (kernel). */
export { MAX_QUANTITY };



/** A short, safe rendering of a client value for an error sentence. */
export function describeValue(value: unknown): string {
  let text: string;
  if (value === undefined) {
    text = 'undefined';
  } else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function isSupportedBillingMode(value: unknown): value is BillingMode {
  return typeof value === 'string' && (SUPPORTED_BILLING_MODES as readonly string[]).includes(value);
}

/**
 * R3.1: a billing mode the platform supports. A missing or non-string value is a plain validation
 * failure; a named mode the platform does not support is `UNSUPPORTED_BILLING_MODE` (400).
 */
export function parseBillingMode(value: unknown, field = 'billingMode'): BillingMode {
  if (typeof value !== 'string' || value.length === 0) {
    throw DomainError.validation(`${field} must be one of: ${SUPPORTED_BILLING_MODES.join(', ')}`);
  }
  if (!isSupportedBillingMode(value)) {
    throw new DomainError(
      'UNSUPPORTED_BILLING_MODE',
      `${field} ${describeValue(value)} is not supported; the supported billing modes are: ${SUPPORTED_BILLING_MODES.join(', ')}`,
    );
  }
  return value;
}

/** R3.1: the product must allow the billing mode, else `UNSUPPORTED_BILLING_MODE`. */
export function assertProductAllowsBillingMode(product: { readonly code: string; readonly billingModes: readonly string[] }, mode: string, field = 'billingMode'): void {
  if (!product.billingModes.includes(mode)) {
    throw new DomainError(
      'UNSUPPORTED_BILLING_MODE',
      `${field} ${describeValue(mode)} is not allowed by product ${product.code} (it allows: ${product.billingModes.join(', ') || 'none'})`,
    );
  }
}

/** R3.2: a quantity is a whole number >= 0 (agents or channels), at most {@link MAX_QUANTITY}. */
export function parseQuantity(value: unknown, field = 'quantity'): number {
  const problem = quantityProblem(value);
  if (problem !== null) throw DomainError.validation(`${field} ${problem}`);
  return value === 0 ? 0 : (value as number); // normalises -0
}

/** An id a client may choose (R8.1 names the field). */
export function parseClientId(value: unknown, field: string): string {
  if (!isValidClientId(value)) {
    throw DomainError.validation(`${field} must be ${CLIENT_ID_RULE}`);
  }
  return value;
}

/** A product code as a client sends it: the catalog's format (R1.1, one rule in the kernel). Whether it exists is the catalog's call. */
export function parseProductCode(value: unknown, field = 'productCode'): string {
  if (typeof value !== 'string' || !PRODUCT_CODE_PATTERN.test(value)) {
    throw DomainError.validation(`${field} must be ${PRODUCT_CODE_RULE}`);
  }
  return value;
}

/** R2.2: instants handed to the domain are valid; they are kept as UTC, to the second. */
export function normaliseInstant(value: DateTime, field: string): DateTime {
  if (!DateTime.isDateTime(value) || !value.isValid) {
    throw DomainError.validation(`${field} must be a valid instant`);
  }
  return value.toUTC().startOf('second');
}

/**
 * R3.3: a billing-mode change requested at `at` takes effect at the start of the next billing
 * period (00:00 UTC+8 of the first day of the next month).
 */
export function billingModeChangeEffectiveAt(at: DateTime, calendar: BillingCalendar): DateTime {
  return calendar.endOfPeriod(calendar.periodOf(at));
}
