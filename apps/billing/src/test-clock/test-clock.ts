import { DateTime } from 'luxon';
import type { Clock } from '@cec/kernel';

/**
 * The billing app's clock when BILLING_TEST_CLOCK=true: it follows the system clock until it is
 * set, then stays at the set instant until moved again or reset.
 */
export class TestClock implements Clock {
  private fixed: DateTime | null = null;

  now(): DateTime {
    return this.fixed ?? DateTime.utc().startOf('second');
  }

  get frozen(): boolean {
    return this.fixed !== null;
  }

  set(instant: DateTime): void {
    this.fixed = instant.toUTC();
  }

  reset(): void {
    this.fixed = null;
  }
}

export const TEST_CLOCK = Symbol.for('cec.billing.TestClock');
