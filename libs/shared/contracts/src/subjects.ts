/**
 * Every NATS subject, stream and message pattern of the platform, in one place
 * (`<context>.<entity>.<past-verb>` for events). No other file spells a subject.
 */
export const SUBJECTS = {
  /** Usage reported by the platform that runs the agents (stream USAGE). */
  usageReported: 'usage.reported',
  /** Published by subscription (stream BILLING_EVENTS). */
  accountCreated: 'subscription.account.created',
  subscriptionChanged: 'subscription.changed',
  /** Published by billing (stream BILLING_EVENTS). */
  billIssued: 'billing.bill.issued',
  accountInArrears: 'billing.account.in_arrears',
  accountSettled: 'billing.account.settled',
  /** Issue 10 (prepaid guard): the projected balance fell below the account's low-balance threshold. */
  accountBalanceLow: 'billing.account.balance_low',
  /** Issue 10 (prepaid guard): the projected balance reached zero. */
  accountBalanceExhausted: 'billing.account.balance_exhausted',
  /** Issue 10: published by metering when a subscription's usage timeline changed (stream METERING_EVENTS). */
  usageChanged: 'metering.usage.changed',
  /** Internal work queue of billing-run jobs (stream BILLING_JOBS). */
  billingRunJob: 'billing.run.job-queued',
} as const;

export type Subject = (typeof SUBJECTS)[keyof typeof SUBJECTS];

export interface StreamDefinition {
  readonly name: string;
  readonly subjects: readonly Subject[];
  /** `limits` keeps messages for every consumer; `workqueue` removes a message once acknowledged. */
  readonly retention: 'limits' | 'workqueue';
  readonly maxAgeDays: number;
}

/**
 * JetStream streams. Their subjects are exact names, never wildcards, so that no stream captures
 * the request/reply subjects of {@link PATTERNS}.
 */
export const STREAMS = {
  usage: { name: 'USAGE', subjects: [SUBJECTS.usageReported], retention: 'limits', maxAgeDays: 30 },
  billingEvents: {
    name: 'BILLING_EVENTS',
    subjects: [
      SUBJECTS.accountCreated,
      SUBJECTS.subscriptionChanged,
      SUBJECTS.billIssued,
      SUBJECTS.accountInArrears,
      SUBJECTS.accountSettled,
      SUBJECTS.accountBalanceLow,
      SUBJECTS.accountBalanceExhausted,
    ],
    retention: 'limits',
    maxAgeDays: 30,
  },
  /** Issue 10: metering's own events (its outbox relays them). */
  meteringEvents: { name: 'METERING_EVENTS', subjects: [SUBJECTS.usageChanged], retention: 'limits', maxAgeDays: 7 },
  billingJobs: { name: 'BILLING_JOBS', subjects: [SUBJECTS.billingRunJob], retention: 'workqueue', maxAgeDays: 7 },
} as const satisfies Record<string, StreamDefinition>;

/** Durable JetStream consumers, one name per (app, purpose). Replicas of an app share one. */
export const CONSUMERS = {
  meteringUsage: 'metering-usage',
  meteringSubscriptionChanges: 'metering-subscription-changes',
  billingAccounts: 'billing-accounts',
  billingRunJobs: 'billing-run-jobs',
  /** Issue 10: billing's prepaid guard learns of usage changes. */
  billingUsageChanges: 'billing-usage-changes',
} as const;

/** Request/reply message patterns (NestJS NATS transport, core NATS, queue groups). */
export const PATTERNS = {
  catalogResolvePrices: 'catalog.prices.resolve',
  catalogGetProduct: 'catalog.product.get',
  meteringMonthlyUsage: 'metering.usage.monthly',
  meteringUsageRevisions: 'metering.usage.revisions',
} as const;

/** Queue groups: replicas of one app share request/reply work. */
export const QUEUE_GROUPS = {
  catalog: 'catalog',
  subscription: 'subscription',
  metering: 'metering',
  billing: 'billing',
} as const;
