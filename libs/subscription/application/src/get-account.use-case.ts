import type { Account } from '@cec/subscription-domain';
import type { SubscriptionDeps } from './subscription.ports';
import { requireAccount } from './subscription.support';

/** `GET /v1/accounts/:id`: 404 ACCOUNT_NOT_FOUND when unknown. */
export class GetAccountUseCase {
  constructor(private readonly deps: SubscriptionDeps) {}

  execute(id: string): Promise<Account> {
    return requireAccount(this.deps, id);
  }
}
