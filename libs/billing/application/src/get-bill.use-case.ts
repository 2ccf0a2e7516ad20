import { DomainError } from '@cec/kernel';
import type { BillingDeps, BillView } from './billing.ports';

/** GET /v1/bills/:id */
export class GetBillUseCase {
  constructor(private readonly deps: BillingDeps) {}

  async execute(billId: string): Promise<BillView> {
    const bill = await this.deps.bills.find(billId);
    if (!bill) throw DomainError.notFound('BILL_NOT_FOUND', `bill "${billId}" does not exist`);
    return bill;
  }
}
