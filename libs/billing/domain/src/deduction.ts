import { DomainError, Money } from '@cec/kernel';

export type BillStatus = 'paid' | 'partially_paid' | 'unpaid';
export type AccountStatus = 'active' | 'in_arrears';

export interface DeductionResult {
  /** What the balance paid of the bill: min(balance, total), 0 for a bill of 0 or less. */
  readonly paidAmount: Money;
  /** total - paidAmount for a positive total; 0 otherwise. */
  readonly outstandingAmount: Money;
  readonly status: BillStatus;
  /** A negative total (a credit from negative adjustments) raises the balance by this much; else 0. */
  readonly credit: Money;
  readonly balanceAfter: Money;
}

function assertNotNegative(balance: Money): void {
  if (balance.isNegative()) {
    // R7.6: the balance is never negative; a negative one is a bug upstream, not a user input.
    throw new Error(`balance ${balance.toString()} is negative`);
  }
}

function statusOf(paid: Money, outstanding: Money): BillStatus {
  if (!outstanding.isPositive()) {
    return 'paid';
  }
  return paid.isPositive() ? 'partially_paid' : 'unpaid';
}

/**
 * R7.4: deducts a bill's total from the balance. Paid is the smaller of balance and total, the
 * rest is outstanding. A bill of 0 is `paid`. A negative total is `paid` with nothing paid or
 * outstanding, and the balance rises by its absolute value (`credit`).
 */
export function deduct(balance: Money, total: Money): DeductionResult {
  assertNotNegative(balance);
  const zero = Money.zero(balance.currency);
  if (!total.isPositive()) {
    const credit = total.isNegative() ? total.negated() : zero;
    return {
      paidAmount: zero,
      outstandingAmount: zero,
      status: 'paid',
      credit,
      balanceAfter: balance.plus(credit),
    };
  }
  const paidAmount = balance.min(total);
  const outstandingAmount = total.minus(paidAmount);
  return {
    paidAmount,
    outstandingAmount,
    status: statusOf(paidAmount, outstandingAmount),
    credit: zero,
    balanceAfter: balance.minus(paidAmount),
  };
}

export interface OutstandingBill {
  readonly billId: string;
  /**
   * Ordering key of the bill's issue, oldest first: any string that sorts in issue order (e.g. a
   * UTC ISO-8601 instant in one fixed format). Ties are broken by billId.
   */
  readonly issuedAt: string;
  readonly outstandingAmount: Money;
}

export interface Settlement {
  readonly billId: string;
  /** What the balance paid towards the bill now (> 0). */
  readonly amount: Money;
  readonly outstandingAfter: Money;
  /** `paid` when nothing is left, else `partially_paid`. */
  readonly statusAfter: BillStatus;
}

export interface SettlementResult {
  /** One entry per bill that received money, oldest first. */
  readonly settlements: readonly Settlement[];
  readonly balanceAfter: Money;
  /** What remains outstanding over all the bills given. */
  readonly totalOutstandingAfter: Money;
}

/**
 * R7.5: pays outstanding bills from the balance, oldest first, each by as much as the balance
 * allows, until the balance or the bills run out. Bills with nothing outstanding are skipped.
 */
export function settle(balance: Money, outstandingBills: readonly OutstandingBill[]): SettlementResult {
  assertNotNegative(balance);
  const ordered = [...outstandingBills].sort((a, b) =>
    a.issuedAt !== b.issuedAt ? (a.issuedAt < b.issuedAt ? -1 : 1) : a.billId < b.billId ? -1 : a.billId > b.billId ? 1 : 0,
  );
  const settlements: Settlement[] = [];
  let remaining = balance;
  let totalOutstandingAfter = Money.zero(balance.currency);
  for (const bill of ordered) {
    if (!bill.outstandingAmount.isPositive()) {
      continue;
    }
    const amount = remaining.min(bill.outstandingAmount);
    const outstandingAfter = bill.outstandingAmount.minus(amount);
    totalOutstandingAfter = totalOutstandingAfter.plus(outstandingAfter);
    if (!amount.isPositive()) {
      continue;
    }
    remaining = remaining.minus(amount);
    settlements.push({
      billId: bill.billId,
      amount,
      outstandingAfter,
      statusAfter: outstandingAfter.isPositive() ? 'partially_paid' : 'paid',
    });
  }
  return { settlements, balanceAfter: remaining, totalOutstandingAfter };
}

/** R7.5: a top-up credits the balance, then settles outstanding bills oldest first. */
export function applyTopUp(balance: Money, topUp: Money, outstandingBills: readonly OutstandingBill[]): SettlementResult {
  if (!topUp.isPositive()) {
    throw DomainError.validation('amount must be greater than 0.00');
  }
  return settle(balance.plus(topUp), outstandingBills);
}

/** R7.4: an account with anything outstanding is in arrears. */
export function accountStatus(totalOutstanding: Money): AccountStatus {
  return totalOutstanding.isPositive() ? 'in_arrears' : 'active';
}
