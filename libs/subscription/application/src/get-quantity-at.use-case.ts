import type { DateTime } from 'luxon';
import type { Subscription, SubscriptionChange } from '@cec/subscription-domain';
import type { SubscriptionDeps } from './subscription.ports';
import { requireSubscription } from './subscription.support';

export interface QuantityAt {
  subscription: Subscription;
  at: DateTime;
  /** R3.2: 0 before enabling and from the cancellation on. */
  quantity: number;
  /** The change in force at `at`, or null before enabling. */
  inForce: SubscriptionChange | null;
}

/** `GET /v1/subscriptions/:id/quantity?at=`: the quantity in force at an instant (R3.2). */
export class GetQuantityAtUseCase {
  constructor(private readonly deps: SubscriptionDeps) {}

  async execute(id: string, at: DateTime): Promise<QuantityAt> {
    const subscription = await requireSubscription(this.deps, id);
    return { subscription, at, quantity: subscription.quantityAt(at), inForce: subscription.stateAt(at) };
  }
}
