import { Currency, DomainError, Money } from '@cec/kernel';
import { BillInput, ExplainedLine, explainLineInput, LineInput } from '@cec/billing-domain';
import type { BillingDeps, BillLineView, BillView } from './billing.ports';

/** Port (issue 10): the inputs each bill was rated from, kept with it. */
export interface BillInputStore {
  /** Null when the bill keeps none (issued before inputs were kept) or does not exist. */
  find(billId: string): Promise<BillInput | null>;
}

export const BILL_INPUT_STORE = Symbol.for('cec.billing.BillInputStore');

/** One stored line with its explanation. */
export interface ExplainedBillLine {
  readonly line: BillLineView;
  readonly input: LineInput;
  readonly explained: ExplainedLine;
  /**
   * Adjustments: the amounts the re-rating rounds to minus what was billed before (R6.2); usage
   * lines: the rounded amounts. Equal to the stored line when the explanation holds.
   */
  readonly listAmount: Money;
  readonly discountAmount: Money;
  readonly amount: Money;
  readonly quantityDays: number;
  /** True when every derived figure equals the stored line. */
  readonly matches: boolean;
}

export interface BillExplanation {
  readonly bill: BillView;
  readonly lines: readonly ExplainedBillLine[];
}

/** Explains one stored line from its kept input: exact sums, R4.4 rounding, minus billed for adjustments. */
export function explainBillLine(line: BillLineView, input: LineInput, currency: Currency): ExplainedBillLine {
  const explained = explainLineInput(input, currency);
  const billed = input.billed;
  const listAmount = billed ? explained.listAmount.minus(Money.ofCents(billed.listAmount, currency)) : explained.listAmount;
  const discountRated = explained.listAmount.minus(explained.amount);
  const discountAmount = billed ? discountRated.minus(Money.ofCents(billed.discountAmount, currency)) : discountRated;
  const amount = billed ? explained.amount.minus(Money.ofCents(billed.amount, currency)) : explained.amount;
  const quantityDays = explained.quantityDays - (billed?.quantityDays ?? 0);
  const matches =
    quantityDays === line.quantityDays &&
    listAmount.equals(line.listAmount) &&
    discountAmount.equals(line.discountAmount) &&
    amount.equals(line.amount) &&
    input.subscriptionId === line.subscriptionId &&
    input.forPeriod === line.forPeriod;
  return { line, input, explained, listAmount, discountAmount, amount, quantityDays, matches };
}

/** GET /v1/bills/:id/explanation (issue 10): where every cent of a bill comes from. */
export class GetBillExplanationUseCase {
  constructor(
    private readonly deps: BillingDeps,
    private readonly inputs: BillInputStore,
  ) {}

  async execute(billId: string): Promise<BillExplanation> {
    const bill = await this.deps.bills.find(billId);
    if (!bill) throw DomainError.notFound('BILL_NOT_FOUND', `bill "${billId}" does not exist`);
    const input = await this.inputs.find(billId);
    if (!input || input.lines.length !== bill.lines.length) {
      throw new DomainError('BILL_INPUT_NOT_KEPT', `bill "${billId}" was issued before bills kept their inputs; it cannot be explained`);
    }
    return { bill, lines: bill.lines.map((line, index) => explainBillLine(line, input.lines[index], bill.currency)) };
  }
}
