import type { DateTime } from 'luxon';
import type { Clock } from '@cec/kernel';
import type { AccountCreatedEvent, SubscriptionChangedEvent } from '@cec/contracts';
import type { Account, Subscription, SubscriptionProduct, SubscriptionSnapshot } from '@cec/subscription-domain';

/**
 * Port: accounts. `create` writes the account and its `subscription.account.created` event in one
 * transaction (transactional outbox); the database's primary key refuses a taken id.
 */
export interface AccountRepository {
  /** Throws DomainError ACCOUNT_EXISTS when the id is taken; nothing is written then. */
  create(account: Account, event: AccountCreatedEvent): Promise<void>;
  find(id: string): Promise<Account | null>;
  /** Accounts in id order after `after`, whose id or name starts with `search` (case-insensitive). */
  search(query: AccountSearch): Promise<Account[]>;
}

/** `GET /v1/accounts`: a page of accounts (keyset paging on the id). */
export interface AccountSearch {
  /** A prefix of the id or of the name, compared case-insensitively; absent: every account. */
  readonly search?: string;
  /** At most this many accounts. */
  readonly limit: number;
  /** Only accounts whose id sorts after this one (the last id of the previous page). */
  readonly after?: string;
}

/**
 * Port: subscriptions with their append-only change history. Every write stores the subscription
 * row, its new change rows and one `subscription.changed` outbox row per new change in ONE
 * transaction; a (subscription, sequence) unique key and a version check make two writers racing
 * from the same version impossible.
 */
export interface SubscriptionRepository {
  find(id: string): Promise<Subscription | null>;
  listByAccount(accountId: string): Promise<Subscription[]>;
  /** A new subscription and its first change(s), recorded at `at`. Throws SUBSCRIPTION_EXISTS when the id is taken. */
  insert(subscription: Subscription, events: readonly SubscriptionChangedEvent[], at: DateTime): Promise<void>;
  /**
   * Stores what happened to `subscription` since it was read as `before` (its changes after
   * `before.version`, its pending billing-mode change). Throws CONCURRENT_MODIFICATION, and writes
   * nothing, when the stored subscription is no longer `before`.
   */
  save(subscription: Subscription, before: SubscriptionSnapshot, events: readonly SubscriptionChangedEvent[], at: DateTime): Promise<void>;
}

/**
 * Port: the catalog (another app, over NATS request/reply). Returns null for an unknown product;
 * throws DomainError CATALOG_UNAVAILABLE when the catalog does not answer.
 */
export interface CatalogGateway {
  findProduct(code: string): Promise<SubscriptionProduct | null>;
}

export const ACCOUNT_REPOSITORY = Symbol.for('cec.subscription.AccountRepository');
export const SUBSCRIPTION_REPOSITORY = Symbol.for('cec.subscription.SubscriptionRepository');
export const CATALOG_GATEWAY = Symbol.for('cec.subscription.CatalogGateway');

export interface SubscriptionDeps {
  accounts: AccountRepository;
  subscriptions: SubscriptionRepository;
  catalog: CatalogGateway;
  clock: Clock;
}
