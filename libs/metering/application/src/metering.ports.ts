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

/** What replaying a dead letter did with its event (#9.3). */
export type ReplayOutcomeStatus = 'accepted' | 'duplicate' | 'parked' | 'rejected';

export interface DeadLetterRecord {
  /** The dead letter's own id (a bigserial): every dead letter has one, even when its event has none. */
  id: string;
  kind: DeadLetterKind;
  eventId: string | null;
  source: IngestionSource;
  code: string;
  message: string;
  payload: unknown;
  receivedAt: DateTime;
  /** When a replay first stored its event (accepted, parked or found already stored); null until then. */
  replayedAt: DateTime | null;
  replayOutcome: ReplayOutcomeStatus | null;
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

/** A usage event as stored, normalized (instant in epoch seconds). */
export interface StoredUsageEvent {
  id: string;
  subscriptionId: string;
  quantity: number;
  at: EpochSeconds;
}

export interface UsageBatchWrite {
  /**
   * Distinct ids. An event whose subscription metering does not know (yet) is stored *parked*
   * (#9.3): kept, unseen by the timelines until `subscription.changed` records the subscription.
   */
  events: readonly UsageEventRow[];
  /** Where the events came from (kept on a parked event, for its dead letter if it expires). */
  source: IngestionSource;
  deadLetters: readonly NewDeadLetter[];
  /**
   * #8.6: the dead letter of an event whose id is already stored with other content; written in
   * the same transaction (none when it answers null). Decided after the insert met the unique key,
   * so racing batches agree.
   */
  conflictDeadLetter: (event: UsageEventRow, stored: StoredUsageEvent) => NewDeadLetter | null;
  receivedAt: DateTime;
}

export interface UsageBatchResult {
  /** Ids stored by this write (counted now, or parked). */
  inserted: ReadonlySet<string>;
  /** The inserted ids that were parked: their subscription is not known yet. */
  parked: ReadonlySet<string>;
  /** Ids already stored with other content (#8.6), with what is stored; each was dead-lettered. */
  conflicts: ReadonlyMap<string, StoredUsageEvent>;
}

/** A parked usage event whose subscription never became known within the bound (#9.3). */
export interface ExpiredParkedUsage extends StoredUsageEvent {
  source: IngestionSource;
  receivedAt: DateTime;
}

export interface ParkedUsageSweep {
  /** Parked events received before this instant, whose subscription is still unknown, are dead-lettered. */
  expiredBefore: DateTime;
  now: DateTime;
  /** At most this many expire per call. */
  limit: number;
  deadLetter: (event: ExpiredParkedUsage) => NewDeadLetter;
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
  /**
   * One transaction: inserts the events (an id already stored is skipped: R6.1; parked when the
   * subscription is not known: #9.3), compares the skipped ones with what is stored (#8.6) and
   * writes the dead letters, those of the conflicts included.
   */
  writeUsageBatch(write: UsageBatchWrite): Promise<UsageBatchResult>;
  /**
   * One transaction: upserts each subscription to its newest known state, adds the state points
   * (a (subscription, sequence) already stored is skipped), un-parks the usage events waiting for
   * these subscriptions (#9.3: counted from this commit on, with a new revision for R6.2) and
   * writes the dead letters. Returns how many state points were new.
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
   * up to `asOfRevision` is in the answer and every later write has a higher revision (the read
   * waits for the writes in flight). With `withRevision: false`: what is committed, read without
   * waiting, and `asOfRevision` null.
   */
  pointsOfAccounts(
    accountIds: readonly string[],
    from: EpochSeconds,
    to: EpochSeconds,
    options?: { withRevision: boolean },
  ): Promise<{ asOfRevision: string | null; subscriptions: SubscriptionPoints[] }>;
  /** Per account: the earliest period of the timeline writes with a revision above its own. */
  earliestPeriodsWrittenAfter(accounts: readonly AccountRevision[]): Promise<Array<{ accountId: string; earliestPeriod: string }>>;
  /** Newest first. */
  listDeadLetters(kind: DeadLetterKind, limit: number): Promise<DeadLetterRecord[]>;
  findDeadLetter(kind: DeadLetterKind, id: string): Promise<DeadLetterRecord | null>;
  /** Marks a dead letter replayed; the first replay's time and outcome are kept. Returns it as stored. */
  markDeadLetterReplayed(id: string, outcome: ReplayOutcomeStatus, at: DateTime): Promise<DeadLetterRecord | null>;
  /**
   * #9.3, one transaction: un-parks parked events whose subscription is known by now (one that
   * raced the recording of its subscription), then moves up to `limit` parked events older than
   * the bound into the dead letters. Safe beside other replicas (rows taken with skip locked).
   */
  sweepParkedUsage(sweep: ParkedUsageSweep): Promise<{ unparked: number; expired: number }>;
}

export const METERING_REPOSITORY = Symbol.for('cec.MeteringRepository');

export interface MeteringDeps {
  repository: MeteringRepository;
  clock: Clock;
}
