import fc from 'fast-check';
import { Dec, DomainError, Money } from '@cec/kernel';
import { accountStatus, applyTopUp, deduct, settle } from './deduction';

const m = (value: string): Money => Money.parse(value);

function view(result: ReturnType<typeof deduct>): Record<string, string> {
  return {
    paidAmount: result.paidAmount.toString(),
    outstandingAmount: result.outstandingAmount.toString(),
    status: result.status,
    credit: result.credit.toString(),
    balanceAfter: result.balanceAfter.toString(),
  };
}

describe('deduction (R7.4)', () => {
  it('E5 (R7.4): a 270.00 bill against a balance of 100.00 -> paid 100.00, outstanding 170.00, partially_paid, in_arrears, balance 0.00', () => {
    const result = deduct(m('100.00'), m('270.00'));
    expect(view(result)).toEqual({
      paidAmount: '100.00',
      outstandingAmount: '170.00',
      status: 'partially_paid',
      credit: '0.00',
      balanceAfter: '0.00',
    });
    expect(accountStatus(result.outstandingAmount)).toBe('in_arrears');
  });

  it('R7.4 a balance that covers the bill pays it in full', () => {
    expect(view(deduct(m('300.00'), m('270.00')))).toMatchObject({
      paidAmount: '270.00',
      outstandingAmount: '0.00',
      status: 'paid',
      balanceAfter: '30.00',
    });
    expect(view(deduct(m('270.00'), m('270.00')))).toMatchObject({ status: 'paid', balanceAfter: '0.00' });
  });

  it('R7.4 an empty balance leaves the bill unpaid', () => {
    expect(view(deduct(m('0.00'), m('0.01')))).toMatchObject({
      paidAmount: '0.00',
      outstandingAmount: '0.01',
      status: 'unpaid',
      balanceAfter: '0.00',
    });
  });

  it('R7.4 a bill of 0.00 is paid and leaves the balance alone', () => {
    expect(view(deduct(m('5.00'), m('0.00')))).toEqual({
      paidAmount: '0.00',
      outstandingAmount: '0.00',
      status: 'paid',
      credit: '0.00',
      balanceAfter: '5.00',
    });
  });

  it('R6.2/R7.6 a negative total (credit from adjustments) is paid, nothing outstanding, and raises the balance', () => {
    expect(view(deduct(m('5.00'), m('-8.50')))).toEqual({
      paidAmount: '0.00',
      outstandingAmount: '0.00',
      status: 'paid',
      credit: '8.50',
      balanceAfter: '13.50',
    });
  });

  it('R7.6 a negative balance is an invariant violation', () => {
    expect(() => deduct(m('-1.00'), m('1.00'))).toThrow(/negative/);
  });

  it('R7.4 an account with nothing outstanding is active', () => {
    expect(accountStatus(m('0.00'))).toBe('active');
    expect(accountStatus(m('0.01'))).toBe('in_arrears');
  });
});

describe('settlement (R7.5)', () => {
  it('E6 (R7.5): after E5, a top-up of 200.00 pays the bill, leaves 30.00 and the account active', () => {
    const e5 = deduct(m('100.00'), m('270.00'));
    const result = applyTopUp(e5.balanceAfter, m('200.00'), [
      { billId: 'bill_2025_06', issuedAt: '2025-06-30T16:00:00Z', outstandingAmount: e5.outstandingAmount },
    ]);
    expect(result.settlements.map((s) => [s.billId, s.amount.toString(), s.outstandingAfter.toString(), s.statusAfter])).toEqual([
      ['bill_2025_06', '170.00', '0.00', 'paid'],
    ]);
    expect(result.balanceAfter.toString()).toBe('30.00');
    expect(accountStatus(result.totalOutstandingAfter)).toBe('active');
  });

  it('R7.5 settles the oldest bill first, then the next as far as the balance goes', () => {
    const result = settle(m('150.00'), [
      { billId: 'bill_c', issuedAt: '2026-03-31T16:00:00Z', outstandingAmount: m('80.00') },
      { billId: 'bill_a', issuedAt: '2026-01-31T16:00:00Z', outstandingAmount: m('100.00') },
      { billId: 'bill_b', issuedAt: '2026-02-28T16:00:00Z', outstandingAmount: m('100.00') },
      { billId: 'bill_0', issuedAt: '2025-12-31T16:00:00Z', outstandingAmount: m('0.00') },
    ]);
    expect(result.settlements.map((s) => [s.billId, s.amount.toString(), s.outstandingAfter.toString(), s.statusAfter])).toEqual([
      ['bill_a', '100.00', '0.00', 'paid'],
      ['bill_b', '50.00', '50.00', 'partially_paid'],
    ]);
    expect(result.balanceAfter.toString()).toBe('0.00');
    expect(result.totalOutstandingAfter.toString()).toBe('130.00');
    expect(accountStatus(result.totalOutstandingAfter)).toBe('in_arrears');
  });

  it('R7.5 bills issued at the same instant are settled in billId order', () => {
    const issuedAt = '2026-01-31T16:00:00Z';
    const result = settle(m('1.00'), [
      { billId: 'bill_z', issuedAt, outstandingAmount: m('1.00') },
      { billId: 'bill_y', issuedAt, outstandingAmount: m('1.00') },
    ]);
    expect(result.settlements.map((s) => s.billId)).toEqual(['bill_y']);
  });

  it('R7.5 with no balance nothing is settled', () => {
    const result = settle(m('0.00'), [{ billId: 'b', issuedAt: '1', outstandingAmount: m('3.00') }]);
    expect(result.settlements).toEqual([]);
    expect(result.totalOutstandingAfter.toString()).toBe('3.00');
  });

  it('R7.5 a top-up must be positive', () => {
    expect(() => applyTopUp(m('0.00'), m('0.00'), [])).toThrow(DomainError);
    expect(() => applyTopUp(m('0.00'), m('-1.00'), [])).toThrow(DomainError);
  });

  it('R7.6 property: money is neither created nor lost by deduction and settlement; the balance is never negative', () => {
    const cents = (max: number): fc.Arbitrary<Money> =>
      fc.integer({ min: 0, max }).map((c) => Money.ofCents(new Dec(c).dividedBy(100)));
    fc.assert(
      fc.property(
        cents(100_000),
        fc.integer({ min: -50_000, max: 100_000 }).map((c) => Money.ofCents(new Dec(c).dividedBy(100))),
        fc.array(cents(50_000), { maxLength: 6 }),
        (balance, total, outstanding) => {
          const deduction = deduct(balance, total);
          expect(deduction.balanceAfter.isNegative()).toBe(false);
          // balance + credit = balanceAfter + paid; paid + outstanding = max(total, 0)
          expect(balance.plus(deduction.credit).equals(deduction.balanceAfter.plus(deduction.paidAmount))).toBe(true);
          expect(deduction.paidAmount.plus(deduction.outstandingAmount).equals(total.isPositive() ? total : Money.zero())).toBe(true);

          const bills = outstanding.map((amount, index) => ({ billId: `b${index}`, issuedAt: String(index), outstandingAmount: amount }));
          const result = settle(deduction.balanceAfter, bills);
          const settled = result.settlements.reduce((sum, s) => sum.plus(s.amount), Money.zero());
          const before = outstanding.reduce((sum, a) => sum.plus(a), Money.zero());
          expect(deduction.balanceAfter.equals(result.balanceAfter.plus(settled))).toBe(true);
          expect(before.equals(result.totalOutstandingAfter.plus(settled))).toBe(true);
          expect(result.balanceAfter.isNegative()).toBe(false);
          // either the balance is spent or every bill is paid
          expect(result.balanceAfter.isZero() || result.totalOutstandingAfter.isZero()).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
