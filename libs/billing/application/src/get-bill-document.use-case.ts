import { DomainError } from '@cec/kernel';
import type { BillingDeps, LedgerEntryView } from './billing.ports';
import { BillDocument, billDocumentOf, DocumentAccount } from './bill-document';
import type { BillInputStore } from './get-bill-explanation.use-case';

/** Port (issue 12): what a bill document needs besides the bill and its kept inputs. */
export interface BillDocumentQueries {
  /** The account's id and name; null when billing does not know it. */
  account(accountId: string): Promise<DocumentAccount | null>;
  /**
   * The ledger entry the bill's issue wrote to the account's balance (R7.4): its `deduction`, or
   * the `adjustment` crediting a negative total; null when it wrote none.
   */
  issueEntry(accountId: string, billId: string): Promise<LedgerEntryView | null>;
}

export const BILL_DOCUMENT_QUERIES = Symbol.for('cec.billing.BillDocumentQueries');

/** GET /v1/bills/:id/document (issue 12): the bill as a document for the enterprise. */
export class GetBillDocumentUseCase {
  constructor(
    private readonly deps: BillingDeps,
    private readonly queries: BillDocumentQueries,
    private readonly inputs: BillInputStore,
  ) {}

  async execute(billId: string): Promise<BillDocument> {
    const bill = await this.deps.bills.find(billId);
    if (!bill) throw DomainError.notFound('BILL_NOT_FOUND', `bill "${billId}" does not exist`);
    const [account, issueEntry, input] = await Promise.all([
      this.queries.account(bill.accountId),
      this.queries.issueEntry(bill.accountId, bill.id),
      this.inputs.find(bill.id),
    ]);
    return billDocumentOf({ bill, account, issueEntry, input, asOf: this.deps.clock.now() });
  }
}
