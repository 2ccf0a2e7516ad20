import { DomainError, isValidClientId, Period } from '@cec/kernel';
import type { BillingDeps, BillView } from './billing.ports';
import { accountNotFound } from './account-not-found';

export const MAX_BILLS_LISTED = 1000;

/** GET /v1/bills?accountId=&period= */
export class ListBillsUseCase {
  constructor(private readonly deps: BillingDeps) {}

  async execute(query: { accountId?: unknown; period?: unknown }): Promise<BillView[]> {
    let accountId: string | null = null;
    if (query.accountId !== undefined && query.accountId !== '') {
      if (!isValidClientId(query.accountId)) throw DomainError.validation('accountId must be an account id');
      if (!(await this.deps.accounts.snapshot(query.accountId))) throw accountNotFound(query.accountId);
      accountId = query.accountId;
    }
    const period = query.period === undefined || query.period === '' ? null : Period.parse(query.period, 'period');
    return this.deps.bills.list({ accountId, period, limit: MAX_BILLS_LISTED });
  }
}
