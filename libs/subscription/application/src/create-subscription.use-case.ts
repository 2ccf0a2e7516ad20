import { CreateSubscriptionCommand, Subscription } from '@cec/subscription-domain';
import type { SubscriptionDeps } from './subscription.ports';
import { changedEvents, requireAccount, requireProduct } from './subscription.support';

/**
 * `POST /v1/subscriptions` (R3.1, R3.2): the account must exist (404), the product is looked up at
 * the catalog (404 unknown, 503 unreachable) and must allow the billing mode (R3.1). The
 * subscription, its `enabled` change and its `subscription.changed` event are stored together.
 */
export class CreateSubscriptionUseCase {
  constructor(private readonly deps: SubscriptionDeps) {}

  async execute(command: CreateSubscriptionCommand): Promise<Subscription> {
    await requireAccount(this.deps, command.accountId);
    const product = await requireProduct(this.deps, command.productCode);
    const subscription = Subscription.enable(command, product);
    const now = this.deps.clock.now();
    await this.deps.subscriptions.insert(subscription, changedEvents(subscription, subscription.changesAfter(0), now), now);
    return subscription;
  }
}
