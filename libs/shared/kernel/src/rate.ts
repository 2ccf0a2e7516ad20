import { Dec } from './money';
import { DomainError } from './domain-error';

const RATE_PATTERN = /^(0(\.\d{1,4})?|\.\d{1,4})$/;

/** A discount rate in [0, 1) with at most 4 decimals (R5.1). */
export class Rate {
  private constructor(readonly value: Dec) {}

  static parse(value: unknown, field = 'rate'): Rate {
    if (typeof value !== 'string' || !RATE_PATTERN.test(value)) {
      throw DomainError.validation(`${field} must be a decimal string in [0, 1) with at most 4 decimals, such as "0.15"`);
    }
    return new Rate(new Dec(value));
  }

  static zero(): Rate {
    return new Rate(new Dec(0));
  }

  /** 1 - rate: the share of the list price that is charged. */
  complement(): Dec {
    return new Dec(1).minus(this.value);
  }

  equals(other: Rate): boolean {
    return this.value.equals(other.value);
  }

  toString(): string {
    return this.value.toString();
  }

  toJSON(): string {
    return this.toString();
  }
}
