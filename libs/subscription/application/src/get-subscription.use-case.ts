import type { Subscription } from '@cec/subscription-domain';
import type { SubscriptionDeps } from './subscription.ports';
import { requireSubscription } from './subscription.support';

/** `GET /v1/subscriptions/:id`: the subscription with its history; 404 when unknown. */
export class GetSubscriptionUseCase {
  constructor(private readonly deps: SubscriptionDeps) {}

  execute(id: string): Promise<Subscription> {
    return requireSubscription(this.deps, id);
  }
}
