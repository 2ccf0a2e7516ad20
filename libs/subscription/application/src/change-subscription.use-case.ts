import type { ChangeSubscriptionCommand, Subscription, SubscriptionProduct } from '@cec/subscription-domain';
import type { SubscriptionDeps } from './subscription.ports';
import { requireProduct, updateSubscription } from './subscription.support';

/**
 * `POST /v1/subscriptions/:id/changes` (R3.2 quantity, R3.5 edition): a change at an instant. An
 * edition change looks the new product up at the catalog (404 unknown, 503 unreachable).
 */
export class ChangeSubscriptionUseCase {
  constructor(private readonly deps: SubscriptionDeps) {}

  execute(id: string, command: ChangeSubscriptionCommand): Promise<Subscription> {
    let product: SubscriptionProduct | undefined;
    return updateSubscription(this.deps, id, async (subscription) => {
      if (command.productCode !== undefined && command.productCode !== subscription.productCode && product?.code !== command.productCode) {
        // refuse what the subscription itself refuses before asking the catalog anything
        subscription.assertCanChangeAt(command.effectiveAt, 'effectiveAt');
        product = await requireProduct(this.deps, command.productCode);
      }
      subscription.change(command, product);
    });
  }
}
