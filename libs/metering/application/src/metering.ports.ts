import type { Clock } from '@cec/kernel';
import type { EpochSeconds, TimelinePoint, TimelineStatus, ValidSubscriptionChange } from '@cec/metering-domain';
import type { DateTime } from 'luxon';

/** Where a usage event came from (R6.3 dead letters say so). */
export type IngestionSource = 'rest' | 'nats';

/** What a dead letter is about: usage events (listed to operators) or subscription changes. */
export type DeadLetterKind = 'usage_event' | 'subscription_change';

/** A refused message, kept for an operator (R6.3). */
export interface NewDeadLetter {
  kind: DeadLetterKind;
  /** The event id when it is well formed, otherwise null. */
  eventId: string | null;
  source: IngestionSource;
  code: string;
  message: string;
  /** What was received: the decoded JSON, or the raw text when it was not JSON. */
  payload: unknown;
  /**
   * The text received, when the transport has it (NATS): kept instead of `payload` where the
   * decoded value cannot be stored as JSON (nested too deep, too long).
   */
  rawText: string | null;
  /**
   * NATS only: identifies the stream message (`stream:sequence:timestamp`) so that a redelivered
   * message is dead-lettered once (a unique key), however often it comes back.
   */
  natsKey: string | null;
}

export interface DeadLetterRecord {
  id: string;
  kind: DeadLetterKind;
  eventId: string | null;
  source: IngestionSource;
  code: string;
  message: string;
  payload: unknown;
  receivedAt: DateTime;
}

/** A usage event to store: the timeline point plus its subscription and period (R2.3). */
export interface UsageEventRow {
  id: string;
  subscriptionId: string;
  quantity: number;
  at: EpochSeconds;
  /** The billing-zone period of `at`, `YYYY-MM` (kept per write for R6.2 revisions). */
  period: string;
}

export interface UsageBatchWrite {
  /** Distinct ids, each for a known subscription. */
  events: readonly UsageEventRow[];
  deadLetters: readonly NewDeadLetter[];
  receivedAt: DateTime;
}

export interface SubscriptionChangeRow {
  change: ValidSubscriptionChange;
  /** The billing-zone period of the effective instant. */
  period: string;
}

export interface SubscriptionChangesWrite {
  changes: readonly SubscriptionChangeRow[];
  deadLetters: readonly NewDeadLetter[];
  receivedAt: DateTime;
}

export interface SubscriptionRecord {
  id: string;
  accountId: string;
  productCode: string;
  quantity: number;
  status: TimelineStatus;
}

/** The points of one subscription that decide its days in [from, to). */
export interface SubscriptionPoints {
  subscriptionId: string;
  accountId: string;
  points: TimelinePoint[];
}

export interface AccountRevision {
  accountId: string;
  /** A non-negative bigint as a decimal string. */
  afterRevision: string;
}

/**
 * Port: metering's storage. Implementations enforce idempotency with unique keys (usage event id,
 * subscription + change sequence) and stamp every timeline write with a global, increasing
 * revision.
 */
export interface MeteringRepository {
  /** Which of these subscription ids metering has learned from `subscription.changed`. */
  knownSubscriptionIds(ids: readonly string[]): Promise<Set<string>>;
  /**
   * One transaction: inserts the events (an id already stored is skipped: R6.1) and the dead
   * letters. Returns the ids actually inserted (the others were duplicates).
   */
  writeUsageBatch(write: UsageBatchWrite): Promise<ReadonlySet<string>>;
  /**
   * One transaction: upserts each subscription to its newest known state, adds the state points
   * (a (subscription, sequence) already stored is skipped) and the dead letters. Returns how many
   * state points were new.
   */
  writeSubscriptionChanges(write: SubscriptionChangesWrite): Promise<number>;
  findSubscription(id: string): Promise<SubscriptionRecord | null>;
  /**
   * The points that decide [from, to) for these subscriptions: per subscription, the last state
   * point and the last usage event before `from`, and every point in [from, to). Two set queries.
   */
  pointsOfSubscriptions(subscriptionIds: readonly string[], from: EpochSeconds, to: EpochSeconds): Promise<SubscriptionPoints[]>;
  /**
   * The same for every subscription of these accounts, read so that every write with a revision
   * up to `asOfRevision` is in the answer and every later write has a higher revision.
   */
  pointsOfAccounts(accountIds: readonly string[], from: EpochSeconds, to: EpochSeconds): Promise<{ asOfRevision: string; subscriptions: SubscriptionPoints[] }>;
  /** Per account: the earliest period of the timeline writes with a revision above its own. */
  earliestPeriodsWrittenAfter(accounts: readonly AccountRevision[]): Promise<Array<{ accountId: string; earliestPeriod: string }>>;
  /** Newest first. */
  listDeadLetters(kind: DeadLetterKind, limit: number): Promise<DeadLetterRecord[]>;
}

export const METERING_REPOSITORY = Symbol.for('cec.MeteringRepository');

export interface MeteringDeps {
  repository: MeteringRepository;
  clock: Clock;
}
