import { billingCalendar } from '@cec/kernel';
import type { Account, PendingBillingModeChange, Subscription, SubscriptionChange } from '@cec/subscription-domain';
import { AccountView, PendingBillingModeChangeView, SubscriptionChangeView, SubscriptionDetailView, SubscriptionView } from './subscription.dto';

// Instants go out in the billing zone (UTC+8), to the second (R2).
const instant = billingCalendar.formatInstant.bind(billingCalendar);

export function accountView(account: Account): AccountView {
  return { id: account.id, name: account.name, currency: account.currency, createdAt: instant(account.createdAt) };
}

export function changeView(change: SubscriptionChange): SubscriptionChangeView {
  return {
    sequence: change.sequence,
    kind: change.kind,
    effectiveAt: instant(change.effectiveAt),
    productCode: change.productCode,
    quantity: change.quantity,
    billingMode: change.billingMode,
    status: change.status,
  };
}

export function pendingView(pending: PendingBillingModeChange | null): PendingBillingModeChangeView | null {
  return pending ? { billingMode: pending.billingMode, requestedAt: instant(pending.requestedAt), effectiveAt: instant(pending.effectiveAt) } : null;
}

export function subscriptionView(subscription: Subscription): SubscriptionView {
  return {
    id: subscription.id,
    accountId: subscription.accountId,
    productCode: subscription.productCode,
    unit: subscription.unit,
    quantity: subscription.quantity,
    billingMode: subscription.billingMode,
    status: subscription.status,
    enabledAt: instant(subscription.enabledAt),
    cancelledAt: subscription.cancelledAt ? instant(subscription.cancelledAt) : null,
    version: subscription.version,
    pendingBillingModeChange: pendingView(subscription.pendingBillingModeChange),
  };
}

export function subscriptionDetailView(subscription: Subscription): SubscriptionDetailView {
  return { ...subscriptionView(subscription), changes: subscription.changes.map(changeView) };
}
