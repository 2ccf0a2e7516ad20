import { billingCalendar } from '@cec/kernel';
import type { BillingModeChangeCommand, PendingBillingModeChange, Subscription } from '@cec/subscription-domain';
import type { SubscriptionDeps } from './subscription.ports';
import { requireProduct, updateSubscription } from './subscription.support';

export interface BillingModeChangeResult {
  subscription: Subscription;
  /** The change waiting for the next period, or null when the request was a no-op. */
  scheduled: PendingBillingModeChange | null;
}

/**
 * `POST /v1/subscriptions/:id/billing-mode` (R3.3): the mode never changes inside a billing period.
 * A request for another mode waits for 00:00 (UTC+8) of the next month, or is refused where the
 * product allows no other mode; a request for the mode in force is a no-op. Only `pay_per_use`
 * exists (R3.1), so today every other mode is refused with UNSUPPORTED_BILLING_MODE.
 */
export class RequestBillingModeChangeUseCase {
  constructor(private readonly deps: SubscriptionDeps) {}

  async execute(id: string, command: BillingModeChangeCommand): Promise<BillingModeChangeResult> {
    let scheduled: PendingBillingModeChange | null = null;
    const subscription = await updateSubscription(this.deps, id, async (current) => {
      // refuse what the subscription itself refuses before asking the catalog anything
      const requestedAt = current.assertCanChangeAt(command.requestedAt, 'requestedAt');
      const pending = current.pendingBillingModeChange;
      const inForce = pending && pending.effectiveAt.toMillis() <= requestedAt.toMillis() ? pending.billingMode : current.billingMode;
      // only a real change needs the product (to know which modes it allows)
      const product = command.billingMode === inForce ? undefined : await requireProduct(this.deps, current.productCode);
      scheduled = current.requestBillingModeChange(command.billingMode, command.requestedAt, billingCalendar, product);
    });
    return { subscription, scheduled };
  }
}
