import type { DateTime } from 'luxon';
import type { Currency, Money, Period } from '@cec/kernel';
import type { GuardEventKind, GuardState } from '@cec/billing-domain';

/** Issue 10: what the prepaid guard stores per account. */
export interface GuardView {
  readonly accountId: string;
  readonly currency: Currency;
  readonly balance: Money;
  /** The month `accrued` is of (null before the first rating). */
  readonly period: Period | null;
  readonly accrued: Money;
  readonly computedAt: DateTime | null;
  /** The last day (UTC+8) the accrued charge counts, null before the first rating. */
  readonly ratedThrough: string | null;
  readonly threshold: Money | null;
  readonly state: GuardState;
}

/** An account waiting to be re-rated, with how often it was marked (to clear only what was read). */
export interface DirtyMark {
  readonly accountId: string;
  readonly mark: string;
  readonly currency: Currency;
}

export interface GuardUpdate {
  readonly mark: DirtyMark;
  readonly period: Period;
  readonly ratedThrough: string;
  readonly accrued: Money;
  readonly computedAt: DateTime;
}

export interface GuardCrossing {
  readonly kind: GuardEventKind;
}

/** Port: the prepaid guard's state (tables `account_guard` and `guard_dirty`). */
export interface PrepaidGuardRepository {
  /** Marks accounts to re-rate (again if marked already); unknown accounts wait until they are known. */
  markDirty(accountIds: readonly string[]): Promise<void>;
  /** Marks every account whose accrued charge was rated through a day before `today` (a new day accrues). */
  markStale(today: string): Promise<number>;
  /** Marked accounts known to billing, by id. */
  dirty(limit: number): Promise<DirtyMark[]>;
  /** Clears marks (unless marked again since) without a new rating: the account cannot be rated. */
  clear(marks: readonly DirtyMark[]): Promise<void>;
  /**
   * One transaction per account: locks its guard row, stores the accrued charge, evaluates the
   * guard against the balance and threshold (`evaluate`), moves `guard_state` only from the state
   * it read (so a crossing is recorded once), writes the crossing events to the outbox, and clears
   * the mark unless the account was marked again meanwhile. Returns the events written.
   */
  store(update: GuardUpdate): Promise<GuardEventKind[]>;
  find(accountId: string): Promise<GuardView | null>;
  /** Sets the low-balance threshold (and marks the account for a new evaluation); false when unknown. */
  setThreshold(accountId: string, threshold: Money): Promise<boolean>;
}

/** Wakes the guard's worker (after marking accounts). */
export interface GuardWorkerPoke {
  poke(): void;
}

export const PREPAID_GUARD_REPOSITORY = Symbol.for('cec.billing.PrepaidGuardRepository');
