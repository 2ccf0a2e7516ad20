import type { BillingDeps, StoredDiscount } from './billing.ports';
import { accountNotFound } from './account-not-found';

/** GET /v1/accounts/:id/discounts */
export class ListDiscountsUseCase {
  constructor(private readonly deps: BillingDeps) {}

  async execute(accountId: string): Promise<StoredDiscount[]> {
    const list = await this.deps.discounts.listForAccount(accountId);
    if (list === null) throw accountNotFound(accountId);
    return list;
  }
}
