import { DomainError, isValidClientId, Period } from '@cec/kernel';
import type { BillingDeps, BillView } from './billing.ports';
import { accountNotFound } from './account.use-cases';

/** GET /v1/bills/:id */
export class GetBillUseCase {
  constructor(private readonly deps: BillingDeps) {}

  async execute(billId: string): Promise<BillView> {
    const bill = await this.deps.bills.find(billId);
    if (!bill) throw DomainError.notFound('BILL_NOT_FOUND', `bill "${billId}" does not exist`);
    return bill;
  }
}

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
