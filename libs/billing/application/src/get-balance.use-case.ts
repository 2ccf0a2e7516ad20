import type { AccountSnapshot, BillingDeps } from './billing.ports';
import { accountNotFound } from './account-not-found';

/** GET /v1/accounts/:id/balance (R7.4, R7.6). */
export class GetBalanceUseCase {
  constructor(private readonly deps: BillingDeps) {}

  async execute(accountId: string): Promise<AccountSnapshot> {
    const snapshot = await this.deps.accounts.snapshot(accountId);
    if (!snapshot) throw accountNotFound(accountId);
    return snapshot;
  }
}
