import type { BillingDeps, LedgerEntryView } from './billing.ports';
import { accountNotFound } from './account-not-found';

/** GET /v1/accounts/:id/ledger (R7.6): entries oldest first. */
export class GetLedgerUseCase {
  constructor(private readonly deps: BillingDeps) {}

  async execute(accountId: string): Promise<LedgerEntryView[]> {
    const entries = await this.deps.accounts.ledger(accountId);
    if (!entries) throw accountNotFound(accountId);
    return entries;
  }
}
