/**
 * Message payloads. Primitives only: money is a decimal string with two decimals ("250.00"),
 * rates decimal strings ("0.15"), instants ISO-8601 strings with offset, dates YYYY-MM-DD,
 * periods YYYY-MM.
 */

export type ProductUnit = 'agent' | 'channel';
export type BillingMode = 'pay_per_use';
export type SubscriptionStatus = 'active' | 'cancelled';

/** `usage.reported`; publishers set the `Nats-Msg-Id` header to `id`. */
export interface UsageReportedMessage {
  id: string;
  subscriptionId: string;
  quantity: number;
  timestamp: string;
}

/** Common fields of every event on BILLING_EVENTS: a unique id (consumers dedupe on it). */
export interface EventHeader {
  id: string;
  occurredAt: string;
  /**
   * Issue 9 (addition): the account's sequence number of this event among the events of that
   * account published by the same app (subscription: account.created, subscription.changed;
   * billing: bill.issued, account.in_arrears, account.settled): from 1, no gaps, in commit order,
   * assigned by the app's outbox in the transaction that writes the event. A consumer can order
   * one account's events and notice a missing one. Absent on events written before the change.
   */
  accountSequence?: number;
}

/** `subscription.account.created` */
export interface AccountCreatedEvent extends EventHeader {
  accountId: string;
  name: string;
  currency: string;
}

export type SubscriptionChangeKind = 'enabled' | 'quantity_changed' | 'edition_changed' | 'changed' | 'cancelled';

/** `subscription.changed`: the full new state of the subscription from `effectiveAt` on. */
export interface SubscriptionChangedEvent extends EventHeader {
  subscriptionId: string;
  accountId: string;
  kind: SubscriptionChangeKind;
  /** The instant the new state takes effect. */
  effectiveAt: string;
  /** Per-subscription sequence number of the change, from 1. */
  sequence: number;
  productCode: string;
  quantity: number;
  billingMode: BillingMode;
  status: SubscriptionStatus;
  enabledAt: string;
  cancelledAt: string | null;
}

/** `billing.bill.issued` */
export interface BillIssuedEvent extends EventHeader {
  billId: string;
  accountId: string;
  period: string;
  currency: string;
  total: string;
  paidAmount: string;
  outstandingAmount: string;
  status: 'paid' | 'partially_paid' | 'unpaid';
}

/** `billing.account.in_arrears` */
export interface AccountInArrearsEvent extends EventHeader {
  accountId: string;
  outstanding: string;
  currency: string;
}

/** `billing.account.settled` */
export interface AccountSettledEvent extends EventHeader {
  accountId: string;
  balance: string;
  currency: string;
}

/**
 * Issue 10: `metering.usage.changed` (stream METERING_EVENTS), written by metering's outbox in the
 * transaction that changed a subscription's usage timeline for a month (usage events, subscription
 * changes, parked usage counted). `id` is `usage-changed-<revision>-<hash>`. Every timeline write of
 * a subscription and month is followed by an event published after its commit; writes made while
 * that subscription and month's event still waits in the outbox fold into it (#11: its id,
 * revision and occurredAt move to the newest write, its accountSequence stays), so a backlog
 * yields one event per subscription and month per relay pass rather than one per write.
 */
export interface UsageChangedEvent extends EventHeader {
  accountId: string;
  subscriptionId: string;
  /** The month (YYYY-MM, UTC+8) whose timeline changed. */
  period: string;
  /** Metering's timeline revision of the write (decimal string). */
  revision: string;
}

/**
 * Issue 10: `billing.account.balance_low` and `billing.account.balance_exhausted` (prepaid guard),
 * once per crossing: projectedBalance = balance - accruedThisPeriod - accruedUnbilled fell below `threshold`
 * (balance_low) or to zero or below (balance_exhausted); re-armed once it is above again.
 */
export interface AccountBalanceGuardEvent extends EventHeader {
  accountId: string;
  /** The running month (YYYY-MM, UTC+8) the accrued charge is of. */
  period: string;
  currency: string;
  balance: string;
  accruedThisPeriod: string;
  /**
   * The month before `period`, rated in full, while its bill is not yet deducted (from 00:00 on the
   * 1st until the run bills the account); "0.00" otherwise.
   */
  accruedUnbilled: string;
  projectedBalance: string;
  /** The account's low-balance threshold, null when none is set. */
  threshold: string | null;
}

/** `billing.run.job-queued` (internal): one batch of accounts of one run. */
export interface BillingRunJobMessage {
  runId: string;
  period: string;
  batch: number;
  accountIds: string[];
}

// ---- request/reply ----

/** PATTERNS.catalogGetProduct */
export interface GetProductRequest {
  code: string;
}

export interface ProductSummary {
  code: string;
  name: string;
  unit: ProductUnit;
  features: string[];
  billingModes: string[];
}

export interface GetProductReply {
  product: ProductSummary | null;
}

/** PATTERNS.catalogResolvePrices: the price versions of a set of products that matter for [from, to]. */
export interface ResolvePricesRequest {
  productCodes: string[];
  /** First date of the range, inclusive. */
  from: string;
  /** Last date of the range, inclusive. */
  to: string;
}

export interface PriceVersionMessage {
  unitPrice: string;
  currency: string;
  effectiveFrom: string;
}

export interface ResolvePricesReply {
  /**
   * Per product code: the version in force on `from` (if any) and every later version up to `to`,
   * ordered by `effectiveFrom`. Unknown codes are absent.
   */
  prices: Record<string, PriceVersionMessage[]>;
}

/** PATTERNS.meteringMonthlyUsage: a month of daily quantities for a batch of accounts. */
export interface MonthlyUsageRequest {
  period: string;
  accountIds: string[];
  /**
   * Asks for one page of at most this many bytes (the responder's message size limit applies too):
   * the reply then carries `next` while more remains. Without it the whole answer comes in one
   * reply, or the error REPLY_TOO_LARGE when it cannot.
   */
  maxBytes?: number;
  /** The `next` of the previous page: this page starts there. */
  after?: UsageCursor;
  /**
   * false: the requester needs no `asOfRevision` (the prepaid guard's accrual, issue 10): metering
   * reads what is committed without waiting for the writes in flight (and without holding up the
   * writes behind it), and answers `asOfRevision: null`. Absent or true: as before.
   */
  withRevision?: boolean;
}

/** A position in a usage answer, whose subscriptions are ordered by (accountId, subscriptionId). */
export interface UsageCursor {
  accountId: string;
  subscriptionId: string;
}

export interface DailyUsageMessage {
  date: string;
  /** q(d) of R4.1 */
  quantity: number;
  /**
   * Products the subscription held on that day with a quantity above 0 (more than one on an
   * edition-change day), ordered by the last instant each was held: the last one was held at the
   * end of the day's usage (billing labels the line with it, #9.8).
   */
  productCodes: string[];
}

/** Consecutive days [from, to] (inclusive) with the same quantity and products. */
export interface DailyUsageRun {
  from: string;
  to: string;
  quantity: number;
  productCodes: string[];
}

export interface SubscriptionUsageMessage {
  subscriptionId: string;
  accountId: string;
  /**
   * The days with a quantity above zero, as runs of equal days (see `toUsageRuns` /
   * `fromUsageRuns`): a typical month is one to three runs instead of thirty-one days, which keeps
   * a batch of accounts far below NATS's message size limit.
   */
  runs: DailyUsageRun[];
}

export interface MonthlyUsageReply {
  period: string;
  /**
   * The metering revision the answer reflects (a bigint as a string): every timeline write gets a
   * higher revision. Billing keeps it with what it billed, to ask later what changed since.
   * Null only when the request said `withRevision: false`.
   */
  asOfRevision: string | null;
  subscriptions: SubscriptionUsageMessage[];
  /** Paged answers (`maxBytes` asked): where the next page starts; absent or null on the last page. */
  next?: UsageCursor | null;
}

/** PATTERNS.meteringUsageRevisions: which accounts got timeline writes after a revision (R6.2). */
export interface UsageRevisionsRequest {
  accounts: Array<{ accountId: string; afterRevision: string }>;
}

export interface UsageRevisionsReply {
  /**
   * Per account with writes after its revision: the earliest period those writes can change
   * (the period of the earliest effective instant written). Accounts without writes are absent.
   */
  revisions: Array<{ accountId: string; earliestPeriod: string }>;
}
