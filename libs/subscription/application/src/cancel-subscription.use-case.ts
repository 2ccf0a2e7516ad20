import type { CancelSubscriptionCommand, Subscription } from '@cec/subscription-domain';
import type { SubscriptionDeps } from './subscription.ports';
import { updateSubscription } from './subscription.support';

/** `POST /v1/subscriptions/:id/cancel` (R3.2): from `effectiveAt` on the quantity in force is 0. */
export class CancelSubscriptionUseCase {
  constructor(private readonly deps: SubscriptionDeps) {}

  execute(id: string, command: CancelSubscriptionCommand): Promise<Subscription> {
    return updateSubscription(this.deps, id, (subscription) => {
      subscription.cancel(command);
    });
  }
}
