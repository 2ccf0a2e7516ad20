import { DateTime } from 'luxon';

/** The only source of "now". Domain code receives instants; services receive a Clock. */
export interface Clock {
  now(): DateTime;
}

/** Injection token for the Clock (a plain symbol: the kernel does not depend on Nest). */
export const CLOCK = Symbol.for('cec.Clock');

export class SystemClock implements Clock {
  now(): DateTime {
    return DateTime.utc();
  }
}

/** A clock that moves only when told to: for tests and the billing test clock. */
export class FakeClock implements Clock {
  private current: DateTime;

  constructor(start: DateTime | string = '2026-01-01T00:00:00Z') {
    this.current = FakeClock.toUtc(start);
  }

  now(): DateTime {
    return this.current;
  }

  set(instant: DateTime | string): void {
    this.current = FakeClock.toUtc(instant);
  }

  advance(duration: { days?: number; hours?: number; minutes?: number; seconds?: number }): void {
    this.current = this.current.plus(duration);
  }

  private static toUtc(instant: DateTime | string): DateTime {
    const value = typeof instant === 'string' ? DateTime.fromISO(instant, { setZone: true }) : instant;
    if (!value.isValid) {
      throw new Error(`invalid instant for FakeClock: ${String(instant)}`);
    }
    return value.toUTC();
  }
}
