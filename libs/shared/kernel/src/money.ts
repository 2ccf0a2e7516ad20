import Decimal from 'decimal.js';
import { DomainError } from './domain-error';

/**
 * A private Decimal constructor so that no global configuration elsewhere can change how money
 * is computed. Precision is far beyond anything a bill needs; rounding to cents is always explicit.
 */
export const Dec = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -30, toExpPos: 40 });
export type Dec = Decimal;

export const CURRENCIES = ['USD'] as const;
export type Currency = (typeof CURRENCIES)[number];

const MONEY_PATTERN = /^-?(0|[1-9]\d{0,15})(\.\d{1,2})?$/;
const DECIMAL_PATTERN = /^-?(0|[1-9]\d*)(\.\d+)?$/;

export function isCurrency(value: unknown): value is Currency {
  return typeof value === 'string' && (CURRENCIES as readonly string[]).includes(value);
}

/** Parses an exact decimal string (no exponent, no number input). */
export function parseDecimal(value: unknown, field: string): Dec {
  if (typeof value !== 'string' || !DECIMAL_PATTERN.test(value)) {
    throw DomainError.validation(`${field} must be a decimal string such as "12.50"`);
  }
  return new Dec(value);
}

/** Rounds to cents, half away from zero (R4.4). */
export function roundToCents(value: Dec): Dec {
  return value.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/**
 * An amount of money in cents precision. Built only from decimal strings or from exact decimals
 * explicitly rounded with {@link Money.round}; never from a JavaScript number.
 */
export class Money {
  private constructor(
    readonly amount: Dec,
    readonly currency: Currency,
  ) {}

  /** Parses `"250.00"`-style strings with at most two decimals. */
  static parse(value: unknown, field = 'amount', currency: Currency = 'USD'): Money {
    if (typeof value !== 'string' || !MONEY_PATTERN.test(value)) {
      throw DomainError.validation(`${field} must be a decimal string with at most 2 decimals, such as "100.00"`);
    }
    return new Money(new Dec(value), currency);
  }

  /** Rounds an exact amount to cents, half away from zero. */
  static round(exact: Dec, currency: Currency = 'USD'): Money {
    return new Money(roundToCents(exact), currency);
  }

  /** Wraps a decimal that is already a whole number of cents (e.g. read from a numeric(…,2) column). */
  static ofCents(value: Dec | string, currency: Currency = 'USD'): Money {
    const amount = new Dec(value);
    if (!amount.equals(roundToCents(amount))) {
      throw new Error(`money amount ${amount.toString()} has more than 2 decimals`);
    }
    return new Money(amount, currency);
  }

  static zero(currency: Currency = 'USD'): Money {
    return new Money(new Dec(0), currency);
  }

  plus(other: Money): Money {
    this.assertSameCurrency(other);
    return new Money(this.amount.plus(other.amount), this.currency);
  }

  minus(other: Money): Money {
    this.assertSameCurrency(other);
    return new Money(this.amount.minus(other.amount), this.currency);
  }

  negated(): Money {
    return new Money(this.amount.negated(), this.currency);
  }

  min(other: Money): Money {
    this.assertSameCurrency(other);
    return this.amount.lte(other.amount) ? this : other;
  }

  isZero(): boolean {
    return this.amount.isZero();
  }

  isNegative(): boolean {
    return this.amount.isNegative() && !this.amount.isZero();
  }

  isPositive(): boolean {
    return this.amount.gt(0);
  }

  equals(other: Money): boolean {
    return this.currency === other.currency && this.amount.equals(other.amount);
  }

  compare(other: Money): number {
    this.assertSameCurrency(other);
    return this.amount.comparedTo(other.amount);
  }

  /** `"250.00"`; negative zero prints as `"0.00"`. */
  toString(): string {
    return this.amount.isZero() ? '0.00' : this.amount.toFixed(2);
  }

  toJSON(): string {
    return this.toString();
  }

  private assertSameCurrency(other: Money): void {
    if (other.currency !== this.currency) {
      throw new Error(`currency mismatch: ${this.currency} and ${other.currency}`);
    }
  }
}
