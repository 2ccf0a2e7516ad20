import { DomainError, PRODUCT_CODE_PATTERN, PRODUCT_CODE_RULE } from '@cec/kernel';
import type { ProductUnit } from '@cec/contracts';

export const PRODUCT_UNITS: readonly ProductUnit[] = ['agent', 'channel'];
/** R3.1: the only billing mode the platform supports. */
export const SUPPORTED_BILLING_MODES = ['pay_per_use'] as const;
export type SupportedBillingMode = (typeof SUPPORTED_BILLING_MODES)[number];

/** R1.1: a product with a stable code, a name, a billing unit, features and allowed billing modes. */
export interface Product {
  readonly code: string;
  readonly name: string;
  readonly unit: ProductUnit;
  readonly features: readonly string[];
  readonly billingModes: readonly SupportedBillingMode[];
}

export interface NewProductInput {
  code: unknown;
  name: unknown;
  unit: unknown;
  features: unknown;
  billingModes: unknown;
}

export function parseProductCode(value: unknown, field = 'code'): string {
  if (typeof value !== 'string' || !PRODUCT_CODE_PATTERN.test(value)) {
    throw DomainError.validation(`${field} must be ${PRODUCT_CODE_RULE}`);
  }
  return value;
}

/** Validates a new product (R1.1, R3.1); every failure names its field. */
export function createProduct(input: NewProductInput): Product {
  const code = parseProductCode(input.code);
  if (typeof input.name !== 'string' || input.name.trim().length === 0 || input.name.length > 200) {
    throw DomainError.validation('name must be a non-empty string of at most 200 characters');
  }
  if (typeof input.unit !== 'string' || !(PRODUCT_UNITS as readonly string[]).includes(input.unit)) {
    throw DomainError.validation('unit must be "agent" or "channel"');
  }
  if (!Array.isArray(input.features) || input.features.length > 100) {
    throw DomainError.validation('features must be an array of at most 100 strings');
  }
  const features: string[] = [];
  for (const feature of input.features as unknown[]) {
    if (typeof feature !== 'string' || feature.trim().length === 0 || feature.length > 200) {
      throw DomainError.validation('features must contain only non-empty strings of at most 200 characters');
    }
    if (!features.includes(feature.trim())) features.push(feature.trim());
  }
  if (!Array.isArray(input.billingModes) || input.billingModes.length === 0) {
    throw DomainError.validation('billingModes must be a non-empty array, such as ["pay_per_use"]');
  }
  const billingModes: SupportedBillingMode[] = [];
  for (const mode of input.billingModes as unknown[]) {
    if (typeof mode !== 'string' || !(SUPPORTED_BILLING_MODES as readonly string[]).includes(mode)) {
      throw new DomainError('UNSUPPORTED_BILLING_MODE', `billingModes: "${String(mode)}" is not supported; only "pay_per_use" is`);
    }
    if (!billingModes.includes(mode as SupportedBillingMode)) billingModes.push(mode as SupportedBillingMode);
  }
  return { code, name: input.name.trim(), unit: input.unit as ProductUnit, features, billingModes };
}
