import { DateTime } from 'luxon';
import { DomainError, newId } from '@cec/kernel';
import type { SubscriptionChangedEvent } from '@cec/contracts';
import type { Account, Subscription, SubscriptionChange, SubscriptionProduct } from '@cec/subscription-domain';
import type { SubscriptionDeps } from './subscription.ports';

/** How often a write that lost an optimistic-locking race is re-read and re-applied. */
export const MAX_WRITE_ATTEMPTS = 5;

export async function requireAccount(deps: SubscriptionDeps, id: string): Promise<Account> {
  const account = await deps.accounts.find(id);
  if (!account) throw DomainError.notFound('ACCOUNT_NOT_FOUND', `account "${id}" does not exist`);
  return account;
}

export async function requireSubscription(deps: SubscriptionDeps, id: string): Promise<Subscription> {
  const subscription = await deps.subscriptions.find(id);
  if (!subscription) throw DomainError.notFound('SUBSCRIPTION_NOT_FOUND', `subscription "${id}" does not exist`);
  return subscription;
}

/** R8.1: a product the catalog does not know is a 404 naming the field. */
export async function requireProduct(deps: SubscriptionDeps, code: string, field = 'productCode'): Promise<SubscriptionProduct> {
  const product = await deps.catalog.findProduct(code);
  if (!product) throw DomainError.notFound('PRODUCT_NOT_FOUND', `${field}: product "${code}" does not exist in the catalog`);
  return product;
}

/** One `subscription.changed` event (unique id) per new change, stamped with the clock. */
export function changedEvents(subscription: Subscription, changes: readonly SubscriptionChange[], occurredAt: DateTime): SubscriptionChangedEvent[] {
  return changes.map((change) => subscription.toChangedEvent(change, newId('evt'), occurredAt));
}

/**
 * Reads the subscription, applies `operation` and saves it against the version it read. When
 * another writer got there first (CONCURRENT_MODIFICATION) it starts again from a fresh read, so
 * the operation is applied to the newest state, never to a stale one; after
 * {@link MAX_WRITE_ATTEMPTS} lost races the conflict goes to the caller (409).
 */
export async function updateSubscription(
  deps: SubscriptionDeps,
  id: string,
  operation: (subscription: Subscription) => Promise<void> | void,
): Promise<Subscription> {
  for (let attempt = 1; ; attempt++) {
    const subscription = await requireSubscription(deps, id);
    const before = subscription.snapshot();
    await operation(subscription);
    const changes = subscription.changesAfter(before.version);
    if (changes.length === 0 && subscription.pendingBillingModeChange === before.pendingBillingModeChange) {
      return subscription; // nothing happened: nothing to store or publish
    }
    try {
      const now = deps.clock.now();
      await deps.subscriptions.save(subscription, before, changedEvents(subscription, changes, now), now);
      return subscription;
    } catch (error) {
      if (error instanceof DomainError && error.code === 'CONCURRENT_MODIFICATION' && attempt < MAX_WRITE_ATTEMPTS) continue;
      throw error;
    }
  }
}
