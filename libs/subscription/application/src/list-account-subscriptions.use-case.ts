import type { Subscription } from '@cec/subscription-domain';
import type { SubscriptionDeps } from './subscription.ports';
import { requireAccount } from './subscription.support';

/** `GET /v1/accounts/:id/subscriptions`: 404 for an unknown account, else its subscriptions. */
export class ListAccountSubscriptionsUseCase {
  constructor(private readonly deps: SubscriptionDeps) {}

  async execute(accountId: string): Promise<Subscription[]> {
    await requireAccount(this.deps, accountId);
    return this.deps.subscriptions.listByAccount(accountId);
  }
}
