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
  /**
   * The month before the running one while its bill is not yet deducted (no processed marker for
   * the account and month, read with the balance in one statement), with its accrual; else null.
   */
  readonly unbilled: EndedMonthAccrual | null;
  /** True when `period` itself has no processed marker yet (an ended month not yet billed). */
  readonly periodUnbilled: boolean;
}

/** Issue 10: an ended month's accrual, counted in the projected balance until its bill is deducted. */
export interface EndedMonthAccrual {
  readonly period: Period;
  readonly accrued: Money;
}

/**
 * An account waiting to be re-rated, claimed by one worker: how often it was marked (to clear only
 * what was read) and the claim (only the worker holding it stores or clears the account).
 */
export interface DirtyMark {
  readonly accountId: string;
  readonly mark: string;
  readonly currency: Currency;
  readonly claim: string;
}

export interface GuardUpdate {
  readonly mark: DirtyMark;
  readonly period: Period;
  readonly ratedThrough: string;
  readonly accrued: Money;
  readonly computedAt: DateTime;
  /**
   * The month before `period` rated in full, for an account that had no processed marker for it
   * when the batch was read; it counts only if the marker is still missing when the guard stores.
   */
  readonly ended?: EndedMonthAccrual | null;
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
  /**
   * Claims up to `limit` marked accounts known to billing for `leaseMs` (`for update skip locked`:
   * replicas claim different accounts; oldest marks first; a claim whose lease ran out, its worker
   * dead, is claimed again).
   */
  claim(limit: number, leaseMs: number): Promise<DirtyMark[]>;
  /**
   * Clears claimed marks (unless marked again since: then the claim is released and the mark queued
   * again) without a new rating: the account cannot be rated.
   */
  clear(marks: readonly DirtyMark[]): Promise<void>;
  /** Releases claims without rating (a retryable failure): the marks are claimed again later. */
  release(marks: readonly DirtyMark[]): Promise<void>;
  /**
   * Of `accountIds`, those that existed in `period` (created before it ended) and have no processed
   * marker for it (its bill not yet deducted).
   */
  unbilledIn(period: Period, accountIds: readonly string[]): Promise<Set<string>>;
  /**
   * One transaction for a batch of accounts (set-based statements, in account order): of each
   * update, nothing is stored unless its mark is still claimed by `update.mark.claim`; locks the
   * guard rows, stores the accrued charge (and the ended month's, when still unbilled), evaluates
   * the guard against the balance and threshold, moves `guard_state` only from the state it read
   * (so a crossing is recorded once), writes the crossing events to the outbox, and clears the
   * marks, or releases to the back of the queue those marked again meanwhile. Returns, per account
   * stored, the events written (an account whose claim was lost is absent).
   */
  storeBatch(updates: readonly GuardUpdate[]): Promise<Map<string, GuardEventKind[]>>;
  find(accountId: string): Promise<GuardView | null>;
  /** Sets the low-balance threshold (and marks the account for a new evaluation); false when unknown. */
  setThreshold(accountId: string, threshold: Money): Promise<boolean>;
}

/** Wakes the guard's worker (after marking accounts). */
export interface GuardWorkerPoke {
  poke(): void;
}

export const PREPAID_GUARD_REPOSITORY = Symbol.for('cec.billing.PrepaidGuardRepository');
