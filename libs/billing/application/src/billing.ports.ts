import type { DateTime } from 'luxon';
import type { Clock, Currency, Money, Period } from '@cec/kernel';
import type { AccountStatus, BillDraft, BilledForPeriod, BillInput, BillStatus, Discount } from '@cec/billing-domain';
import type {
  BillingRunJobMessage,
  MonthlyUsageReply,
  ResolvePricesReply,
  ResolvePricesRequest,
  UsageRevisionsReply,
  UsageRevisionsRequest,
} from '@cec/contracts';

// ---- accounts, balance, ledger ----

export interface NewAccount {
  readonly id: string;
  readonly name: string;
  readonly currency: Currency;
  readonly createdAt: DateTime;
  readonly sourceEventId: string;
}

export interface AccountSnapshot {
  readonly accountId: string;
  readonly currency: Currency;
  readonly balance: Money;
  readonly outstanding: Money;
  readonly status: AccountStatus;
}

export type LedgerEntryType = 'top_up' | 'deduction' | 'settlement' | 'adjustment';

export interface LedgerEntryView {
  readonly id: string;
  readonly type: LedgerEntryType;
  readonly amount: Money;
  readonly balanceAfter: Money;
  readonly billId: string | null;
  readonly reference: string | null;
  readonly createdAt: DateTime;
}

/** Port: the billing app's mirror of accounts, with balance and ledger. */
export interface AccountRepository {
  /** Idempotent insert (an account already known is left as it is); returns how many were new. */
  recordAccounts(accounts: readonly NewAccount[]): Promise<number>;
  snapshot(accountId: string): Promise<AccountSnapshot | null>;
  /** Entries oldest first, or null when the account is unknown. */
  ledger(accountId: string): Promise<LedgerEntryView[] | null>;
  /** When the first known account was created (bounds the catch-up of R7.3). */
  earliestCreatedAt(): Promise<DateTime | null>;
  /**
   * Accounts not yet looked at by the scheduler's catch-up (#9.4), by id, after `afterId`: every
   * account recorded is marked so, and so is an account whose usage reached a month no run
   * processed for it.
   */
  awaitingCatchUp(afterId: string | null, limit: number): Promise<CatchUpMark[]>;
  /** Marks accounts for the scheduler's catch-up (#9.4), again if they are marked already. */
  markForCatchUp(accountIds: readonly string[]): Promise<void>;
  /**
   * The scheduler's catch-up has planned every month the accounts need (#9.4): clears each mark
   * unless the account was marked again after it was read.
   */
  clearCatchUp(marks: readonly CatchUpMark[]): Promise<void>;
}

/** An account awaiting the catch-up, with how often it was marked (to clear only what was read). */
export interface CatchUpMark {
  readonly accountId: string;
  readonly mark: number;
}

/**
 * Port: how far billing's account mirror lags behind the accounts announced to it (#9.4): the
 * `subscription.account.created` messages not yet delivered or not yet acknowledged by billing's
 * durable consumer. A run plans its accounts only when this is 0.
 */
export interface AccountFeed {
  /** Messages waiting; null when it cannot be told (e.g. the consumer does not exist yet). */
  backlog(): Promise<number | null>;
}

// ---- dead letters ----

/** A message billing could not use, kept for operators (R6.3, #9.8). */
export interface NewDeadLetter {
  /** The subject it came on. */
  readonly subject: string;
  /** A key unique per message (stream and sequence): a redelivered message is kept once. */
  readonly messageKey: string;
  readonly messageId: string | null;
  readonly code: string;
  readonly message: string;
  /** The message as received: parsed JSON, or its text when it was not JSON. */
  readonly payload: unknown;
}

export interface DeadLetterView extends NewDeadLetter {
  readonly id: string;
  readonly receivedAt: DateTime;
}

export interface DeadLetterRepository {
  /** Idempotent per messageKey. */
  record(letters: readonly NewDeadLetter[], receivedAt: DateTime): Promise<void>;
  /** Newest first. */
  list(limit: number): Promise<DeadLetterView[]>;
}

// ---- discounts ----

export interface StoredDiscount extends Discount {
  readonly createdAt: DateTime;
}

/** Port: discounts; the database refuses overlaps of one scope (EXCLUDE constraint). */
export interface DiscountRepository {
  /** Inserts after checking overlaps under a lock of the account; DISCOUNT_OVERLAP / ACCOUNT_NOT_FOUND. */
  insert(discount: Discount, createdAt: DateTime): Promise<StoredDiscount>;
  /** Null when the account is unknown. */
  listForAccount(accountId: string): Promise<StoredDiscount[] | null>;
  listForAccounts(accountIds: readonly string[]): Promise<Discount[]>;
}

// ---- runs ----

export type RunTrigger = 'schedule' | 'operator';
/**
 * A run always ends: `completed`, `completed_with_failures` (some accounts could not be billed:
 * see its failures), or `cancelled` by an operator. `failed` is only found on runs of older versions.
 */
export type RunStatus = 'running' | 'completed' | 'completed_with_failures' | 'cancelled' | 'failed';

export interface BillingRunView {
  readonly id: string;
  readonly period: string;
  readonly attempt: number;
  readonly status: RunStatus;
  readonly trigger: RunTrigger;
  readonly accountsTotal: number;
  readonly accountsProcessed: number;
  readonly accountsBilled: number;
  readonly billsIssued: number;
  readonly total: Money;
  readonly jobsTotal: number;
  readonly jobsDone: number;
  readonly jobsFailed: number;
  /** Accounts of the run recorded as failed (and not retried since). */
  readonly accountsFailed: number;
  readonly error: string | null;
  readonly startedAt: DateTime;
  readonly finishedAt: DateTime | null;
  /** Issue 10: live progress computed from the database (the repository always fills it). */
  readonly progress?: RunProgress;
}

/**
 * Issue 10: a run's progress. accountsPlanned = accountsProcessed + accountsFailed +
 * accountsSkipped + accountsRemaining.
 */
export interface RunProgress {
  /** Accounts the run planned (accountsTotal). */
  readonly accountsPlanned: number;
  /** Accounts still to do while the run runs; 0 once it has ended. */
  readonly accountsRemaining: number;
  /**
   * Planned accounts the run did not process and will not: processed by another run meanwhile,
   * or left when the run was cancelled. 0 while the run runs.
   */
  readonly accountsSkipped: number;
  /** Accounts processed per second over the last `windowSeconds` (database time, any replica). */
  readonly ratePerSecond: number;
  readonly windowSeconds: number;
  /** Now + remaining / rate while the run runs and the rate is known; null otherwise. */
  readonly estimatedCompletionAt: DateTime | null;
}

export interface StartRunInput {
  readonly id: string;
  readonly period: Period;
  readonly trigger: RunTrigger;
  readonly startedAt: DateTime;
  readonly batchSize: number;
}

export interface StartRunResult {
  readonly run: BillingRunView;
  /** False when a run of the period was already running: that one is returned. */
  readonly created: boolean;
}

/** An account a job could not bill, and why (a typed failure's code and message). */
export interface AccountFailure {
  readonly accountId: string;
  readonly code: string;
  readonly message: string;
}

/** A failed account of a run as recorded (unique per run and account). */
export interface RunFailureView extends AccountFailure {
  /** Deliveries of the job that gave up on the account (summed over retries of the run). */
  readonly attempts: number;
  readonly failedAt: DateTime;
}

export type CancelRunOutcome = 'cancelled' | 'not_running' | 'not_found';

export type RetryFailuresOutcome =
  | { readonly outcome: 'retrying'; readonly jobs: BillingRunJobMessage[] }
  | { readonly outcome: 'not_found' | 'no_failures' | 'other_run_running' };

/** Port: billing runs and their jobs (one job = one batch of accounts). */
export interface BillingRunRepository {
  /**
   * In one transaction: a run row (at most one running per period: a unique index), and its jobs:
   * the accounts not yet processed for the period, in batches, except accounts with an open failure
   * in another run of the period (its retry-failures owns them) and, for a scheduler run, accounts an
   * earlier run of the period planned (#10 review). A run with nothing to do completes.
   */
  start(input: StartRunInput): Promise<StartRunResult>;
  find(runId: string): Promise<BillingRunView | null>;
  /** Newest first. */
  list(period: Period | null): Promise<BillingRunView[]>;
  runningRuns(): Promise<BillingRunView[]>;
  hasCompletedRun(period: Period): Promise<boolean>;
  /** The periods in [from, to] that have a run (of any status). */
  periodsWithRuns(from: Period, to: Period): Promise<Set<string>>;
  /** Jobs of a run not finished yet; `onlyUnpublished` limits them to those never published. */
  openJobs(runId: string, onlyUnpublished: boolean): Promise<BillingRunJobMessage[]>;
  /** The queued jobs of a run with the stream sequence of their last publication (null: never, or not recorded). */
  queuedJobs(runId: string): Promise<Array<{ job: BillingRunJobMessage; streamSeq: number | null }>>;
  /** True while the job is queued (not done, failed or cancelled): a repeated message of a finished job is ignored. */
  isJobQueued(runId: string, batch: number): Promise<boolean>;
  /** Records the jobs as published, with their messages' stream sequences when known (same order). */
  markPublished(runId: string, batches: readonly number[], at: DateTime, streamSeqs?: readonly number[]): Promise<void>;
  /**
   * In one transaction: records the job's failed accounts (once per run and account), marks the
   * job finished (once), and ends the run after its last job (`completed`, or
   * `completed_with_failures` while the run has failed accounts).
   */
  finishJob(runId: string, batch: number, failures: readonly AccountFailure[], attempts: number, at: DateTime): Promise<void>;
  /** A running run becomes `cancelled` and its queued jobs `cancelled` (they never bill). */
  cancel(runId: string, at: DateTime): Promise<CancelRunOutcome>;
  /**
   * A run `completed_with_failures` runs again for its failed accounts not processed since: new
   * jobs of those accounts, the failures cleared, the run `running` (refused while another run of
   * the period runs: one running run per period is a unique index).
   */
  retryFailures(runId: string, batchSize: number, at: DateTime): Promise<RetryFailuresOutcome>;
  /** The run's failed accounts (not retried since), or null when the run does not exist. */
  failures(runId: string): Promise<RunFailureView[] | null>;
}

// ---- bills ----

export interface BillLineView {
  readonly kind: 'usage' | 'adjustment';
  readonly subscriptionId: string;
  readonly productCode: string;
  readonly forPeriod: string;
  readonly quantityDays: number;
  readonly daysInPeriod: number;
  readonly listAmount: Money;
  readonly discountAmount: Money;
  readonly amount: Money;
}

export interface BillView {
  readonly id: string;
  readonly accountId: string;
  readonly period: string;
  readonly runId: string | null;
  readonly currency: Currency;
  readonly total: Money;
  readonly paidAmount: Money;
  readonly outstandingAmount: Money;
  readonly status: BillStatus;
  readonly issuedAt: DateTime;
  readonly lines: readonly BillLineView[];
}

export interface BillQueries {
  find(billId: string): Promise<BillView | null>;
  list(filter: { accountId: string | null; period: Period | null; limit: number }): Promise<BillView[]>;
}

/** What the batch needs to know of its accounts before rating. */
export interface AccountBillingState {
  readonly accountId: string;
  readonly currency: Currency;
  /** Metering revision every billed month of the account reflects; null before the first bill. */
  readonly usageRevision: string | null;
  /** Bumped by every bill: a bill drafted on an older value is stale. */
  readonly billSeq: number;
  /** Already processed (billed or found nothing to bill) for the period. */
  readonly processed: boolean;
}

export interface IssueBillInput {
  readonly runId: string;
  readonly accountId: string;
  readonly period: Period;
  readonly draft: BillDraft;
  /** The inputs the draft was rated from, kept with the bill (issue 10); absent: none kept. */
  readonly input?: BillInput;
  /** The metering revision every billed month of the account reflects after this bill. */
  readonly usageRevision: string;
  readonly expectedBillSeq: number;
  readonly billId: string;
  readonly issuedAt: DateTime;
}

/** `run_not_running`: the run was cancelled (or ended) meanwhile; nothing was written. */
export type IssueBillOutcome = 'issued' | 'nothing_to_bill' | 'already_processed' | 'run_not_running';

/**
 * An account's outcome in a batch write ({@link BillingLedger.issueBatch}): as {@link IssueBillOutcome},
 * or `stale` (billed by someone else since it was drafted: `bill_seq` moved; nothing written, to
 * draft again), or `set_aside` (a credit that settles older bills: nothing written, to issue alone).
 */
export type BatchIssueOutcome = IssueBillOutcome | 'stale' | 'set_aside';

/** Thrown when an account was billed by someone else between drafting and issuing. */
export class StaleAccountError extends Error {
  constructor(readonly accountId: string) {
    super(`account ${accountId} was billed concurrently; its bill must be drafted again`);
    this.name = 'StaleAccountError';
  }
}

/** Port: the billing hot path. Each account in one transaction; unique keys make it exactly once. */
export interface BillingLedger {
  loadStates(accountIds: readonly string[], period: Period): Promise<AccountBillingState[]>;
  /** Periods processed for each account from `from` on (excluding `except`). */
  processedPeriods(accounts: ReadonlyMap<string, Period>, except: Period): Promise<Map<string, Period[]>>;
  /** What was billed per (account, forPeriod, subscription) for the given months. */
  billedAmounts(accountIds: readonly string[], periods: readonly Period[]): Promise<Map<string, Map<string, Map<string, BilledForPeriod>>>>;
  /**
   * One transaction: processed marker (unique account+period), bill (unique account+period),
   * lines, deduction or credit ledger entries, balance, outbox events.
   */
  issue(input: IssueBillInput): Promise<IssueBillOutcome>;
  /**
   * A batch of accounts of one run and period in ONE transaction of a few set-based statements
   * (markers, bills, lines, inputs, ledger entries, outbox events, balances), each account all or
   * nothing: an account found processed, stale or needing settlements is left out (its outcome
   * says why) while the others are written. Thrown (nothing written): the batch could not be
   * written, e.g. one account's data refused by the database; the caller then issues each alone.
   */
  issueBatch(inputs: readonly IssueBillInput[]): Promise<Map<string, BatchIssueOutcome>>;
}

// ---- top-ups ----

export interface SettlementView {
  readonly billId: string;
  readonly amount: string;
  readonly outstandingAfter: string;
  readonly status: BillStatus;
}

/** The answer of a top-up, stored with it and given again for the same reference (R7.5). */
export interface TopUpAnswer {
  readonly accountId: string;
  readonly reference: string;
  readonly amount: string;
  readonly currency: string;
  readonly balance: string;
  readonly outstanding: string;
  readonly status: AccountStatus;
  readonly settlements: readonly SettlementView[];
  readonly createdAt: string;
}

export interface TopUpRepository {
  /** Credits and settles in one transaction; the same reference again returns the first answer. */
  apply(input: { accountId: string; reference: string; amount: Money; at: DateTime }): Promise<{ created: boolean; answer: TopUpAnswer }>;
}

// ---- other apps and transport ----

export interface UsageGateway {
  /**
   * The month's usage of the accounts. `withRevision: false` (the prepaid guard): no
   * `asOfRevision` wanted, so metering reads without waiting for the writes in flight (null then).
   */
  monthlyUsage(period: Period, accountIds: readonly string[], options?: { withRevision: boolean }): Promise<MonthlyUsageReply>;
  revisions(request: UsageRevisionsRequest): Promise<UsageRevisionsReply>;
}

export interface CatalogGateway {
  resolvePrices(request: ResolvePricesRequest): Promise<ResolvePricesReply>;
  productExists(code: string): Promise<boolean>;
}

export interface JobQueue {
  /** Publishes the jobs; answers the stream sequence of each message, in the order of `jobs`. */
  enqueue(jobs: readonly BillingRunJobMessage[]): Promise<readonly number[] | void>;
  /** Of the stream sequences given, those whose message is still on the work queue (not yet acked). */
  stillQueued(streamSeqs: readonly number[]): Promise<Set<number>>;
}

/** Asks the outbox relay to publish what was just committed. */
export interface EventRelay {
  poke(): void;
}

export interface BillingSettings {
  /** Accounts per job (one metering and one catalog request per job). */
  readonly batchSize: number;
  /** Account transactions in flight at a time within a job (accounts issued alone, outside a batch). */
  readonly accountConcurrency: number;
  /**
   * Accounts written per batch transaction within a job (default 500); the next chunk of the job
   * is fetched and drafted while one is written.
   */
  readonly writeBatchSize?: number;
}

export interface BillingDeps {
  readonly accounts: AccountRepository;
  readonly discounts: DiscountRepository;
  readonly runs: BillingRunRepository;
  readonly ledger: BillingLedger;
  readonly bills: BillQueries;
  readonly topUps: TopUpRepository;
  readonly usage: UsageGateway;
  readonly catalog: CatalogGateway;
  readonly jobs: JobQueue;
  readonly events: EventRelay;
  readonly clock: Clock;
  readonly settings: BillingSettings;
}

export const BILLING_DEPS = Symbol.for('cec.BillingDeps');
export const ACCOUNT_REPOSITORY = Symbol.for('cec.billing.AccountRepository');
export const DISCOUNT_REPOSITORY = Symbol.for('cec.billing.DiscountRepository');
export const BILLING_RUN_REPOSITORY = Symbol.for('cec.billing.BillingRunRepository');
export const BILLING_LEDGER = Symbol.for('cec.billing.BillingLedger');
export const BILL_QUERIES = Symbol.for('cec.billing.BillQueries');
export const TOP_UP_REPOSITORY = Symbol.for('cec.billing.TopUpRepository');
export const USAGE_GATEWAY = Symbol.for('cec.billing.UsageGateway');
export const CATALOG_GATEWAY = Symbol.for('cec.billing.CatalogGateway');
export const JOB_QUEUE = Symbol.for('cec.billing.JobQueue');
export const EVENT_RELAY = Symbol.for('cec.billing.EventRelay');
export const BILLING_SETTINGS = Symbol.for('cec.billing.Settings');
