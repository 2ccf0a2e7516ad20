import { DateTime } from 'luxon';
import { Money, Period } from '@cec/kernel';
import type { BillInput, DayRunInput, LineInput } from '@cec/billing-domain';
import type { BillLineView, BillView, LedgerEntryView } from './billing.ports';
import { billDocumentOf, BillDocumentSource, periodRangeText, rateText, unitPriceText } from './bill-document';
import { explainBillLine } from './get-bill-explanation.use-case';

const usd = (value: string): Money => Money.ofCents(value);
const at = (iso: string): DateTime => DateTime.fromISO(iso, { setZone: true });

function line(
  fields: Partial<BillLineView> & Pick<BillLineView, 'subscriptionId' | 'forPeriod' | 'quantityDays' | 'daysInPeriod'>,
  amounts: [string, string, string],
): BillLineView {
  return {
    kind: 'usage',
    productCode: 'basic-cec',
    listAmount: usd(amounts[0]),
    discountAmount: usd(amounts[1]),
    amount: usd(amounts[2]),
    ...fields,
  };
}

function run(
  from: string,
  to: string,
  quantity: number,
  unitPrice: string,
  rate: string,
  product = 'basic-cec',
): DayRunInput {
  return { from, to, quantity, products: [product], pricedProduct: product, unitPrice, rate };
}

function bill(
  fields: Partial<BillView> &
    Pick<BillView, 'period' | 'lines' | 'total' | 'paidAmount' | 'outstandingAmount' | 'status'>,
): BillView {
  return {
    id: 'bill_1',
    accountId: 'acc-1',
    runId: 'run_1',
    currency: 'USD',
    issuedAt: at('2026-05-01T00:00:05+08:00'),
    ...fields,
  };
}

function entry(type: LedgerEntryView['type'], amount: string, balanceAfter: string): LedgerEntryView {
  return {
    id: 'led_1',
    type,
    amount: usd(amount),
    balanceAfter: usd(balanceAfter),
    billId: 'bill_1',
    reference: null,
    createdAt: at('2026-05-01T00:00:05+08:00'),
  };
}

function inputOf(lines: LineInput[]): BillInput {
  return { version: 1, currency: 'USD', lines, prices: [] };
}

const asOf = at('2026-05-03T10:00:00+08:00');

describe('#12 bill document view model', () => {
  // E7 / R4.6 with E5's deduction: 10 agents from 2026-04-16T09:30+08:00 at 50.00 with 15 %, a balance of 100.00
  const e7Line = line({ subscriptionId: 'sub-1', forPeriod: '2026-04', quantityDays: 150, daysInPeriod: 30 }, [
    '250.00',
    '37.50',
    '212.50',
  ]);
  const e7Input: LineInput = {
    kind: 'usage',
    subscriptionId: 'sub-1',
    forPeriod: '2026-04',
    daysInPeriod: 30,
    runs: [run('2026-04-16', '2026-04-30', 10, '50', '0.15')],
  };
  const e7: BillDocumentSource = {
    bill: bill({
      period: '2026-04',
      lines: [e7Line],
      total: usd('212.50'),
      paidAmount: usd('100.00'),
      outstandingAmount: usd('112.50'),
      status: 'partially_paid',
    }),
    account: { id: 'acc-1', name: 'Acme <Contact> & Co' },
    issueEntry: entry('deduction', '-100.00', '0.00'),
    input: inputOf([e7Input]),
    asOf,
  };

  it('R4.6 / E7 a discount line: units × days, days in month, list price, rate, list, discount, amount', () => {
    expect(explainBillLine(e7Line, e7Input, 'USD').matches).toBe(true);
    const document = billDocumentOf(e7);
    expect(document.lines).toEqual([
      {
        position: '1',
        kind: 'usage',
        description: 'Usage 2026-04',
        productCode: 'basic-cec',
        subscriptionId: 'sub-1',
        forPeriod: '2026-04',
        unitsTimesDays: '10 × 15',
        quantityDays: '150',
        daysInPeriod: '30',
        unitPrice: '50.00',
        discountRate: '15%',
        listAmount: '250.00',
        discountAmount: '37.50',
        amount: '212.50',
      },
    ]);
    expect(document).toMatchObject({ listTotal: '250.00', discountTotal: '37.50', total: '212.50' });
  });

  it('R2.1 R7.4 / E5 enterprise, period and issue date in UTC+8, paid, outstanding, balance after', () => {
    expect(billDocumentOf(e7)).toMatchObject({
      billId: 'bill_1',
      fileName: 'bill-2026-04-acc-1',
      account: { id: 'acc-1', name: 'Acme <Contact> & Co' },
      period: '2026-04',
      periodRange: '2026-04-01 00:00 – 2026-05-01 00:00 UTC+8',
      issuedAt: '2026-05-01 00:00:05 UTC+8',
      issueDate: '2026-05-01',
      asOf: '2026-05-03 10:00:00 UTC+8',
      status: 'Partially paid',
      paid: '100.00',
      outstanding: '112.50',
      balance: { label: 'Balance after deduction', amount: '0.00', deducted: '100.00', note: null },
    });
  });

  it('R2.1 dates are UTC+8 whatever the instant was stored in: 2026-04-30T16:00:05Z is issued 2026-05-01', () => {
    const document = billDocumentOf({ ...e7, bill: { ...e7.bill, issuedAt: at('2026-04-30T16:00:05Z') } });
    expect(document.issueDate).toBe('2026-05-01');
    expect(document.issuedAt).toBe('2026-05-01 00:00:05 UTC+8');
  });

  describe('R6.2 an adjustment bill: E1 in July and a correction of E4 (June) for late usage', () => {
    // E1: 6 agents from 2025-07-09T15:20+08:00 at 45.00 → 138 quantity-days, 200.32
    const e1Line = line({ subscriptionId: 'sub-a', forPeriod: '2025-07', quantityDays: 138, daysInPeriod: 31 }, [
      '200.32',
      '0.00',
      '200.32',
    ]);
    const e1Input: LineInput = {
      kind: 'usage',
      subscriptionId: 'sub-a',
      forPeriod: '2025-07',
      daysInPeriod: 31,
      runs: [run('2025-07-09', '2025-07-31', 6, '45', '0')],
    };
    // E4 billed June at 300 / 300.00 / 30.00 / 270.00; a late event puts 12 agents on June 30: re-rated
    // 302 quantity-days, list 302.00, net (15·300 + 14·240 + 288) / 30 = 271.60: the adjustment is the difference
    const adjustment = line(
      {
        kind: 'adjustment',
        productCode: 'professional-cec',
        subscriptionId: 'sub-b',
        forPeriod: '2025-06',
        quantityDays: 2,
        daysInPeriod: 30,
      },
      ['2.00', '0.40', '1.60'],
    );
    const adjustmentInput: LineInput = {
      kind: 'adjustment',
      subscriptionId: 'sub-b',
      forPeriod: '2025-06',
      daysInPeriod: 30,
      runs: [
        run('2025-06-01', '2025-06-15', 10, '30', '0', 'professional-cec'),
        run('2025-06-16', '2025-06-29', 10, '30', '0.2', 'professional-cec'),
        run('2025-06-30', '2025-06-30', 12, '30', '0.2', 'professional-cec'),
      ],
      billed: { quantityDays: 300, listAmount: '300.00', discountAmount: '30.00', amount: '270.00' },
    };
    const source: BillDocumentSource = {
      bill: bill({
        id: 'bill_2',
        period: '2025-07',
        issuedAt: at('2025-08-01T00:00:00+08:00'),
        lines: [e1Line, adjustment],
        total: usd('201.92'),
        paidAmount: usd('0.00'),
        outstandingAmount: usd('201.92'),
        status: 'unpaid',
      }),
      account: { id: 'acc-1', name: 'Acme' },
      issueEntry: null,
      input: inputOf([e1Input, adjustmentInput]),
      asOf,
    };

    it('the figures of both lines are what the rating derives from the kept inputs (the test data is right)', () => {
      expect(explainBillLine(e1Line, e1Input, 'USD').matches).toBe(true);
      expect(explainBillLine(adjustment, adjustmentInput, 'USD').matches).toBe(true);
    });

    it('the adjustment names the month it corrects, re-rated units × days minus billed, every rate used', () => {
      const [usage, correction] = billDocumentOf(source).lines;
      expect(usage).toMatchObject({
        description: 'Usage 2025-07',
        unitsTimesDays: '6 × 23',
        quantityDays: '138',
        daysInPeriod: '31',
        unitPrice: '45.00',
        discountRate: '0%',
        amount: '200.32',
      });
      expect(correction).toEqual({
        position: '2',
        kind: 'adjustment',
        description: 'Adjustment of 2025-06',
        productCode: 'professional-cec',
        subscriptionId: 'sub-b',
        forPeriod: '2025-06',
        unitsTimesDays: '10 × 29 + 12 × 1 - 300 billed',
        quantityDays: '2',
        daysInPeriod: '30',
        unitPrice: '30.00',
        discountRate: '0% / 20%',
        listAmount: '2.00',
        discountAmount: '0.40',
        amount: '1.60',
      });
    });

    it('R4.5 R7.4 totals sum the lines; no deduction entry for a positive total: balance after 0.00', () => {
      expect(billDocumentOf(source)).toMatchObject({
        period: '2025-07',
        periodRange: '2025-07-01 00:00 – 2025-08-01 00:00 UTC+8',
        listTotal: '202.32',
        discountTotal: '0.40',
        total: '201.92',
        paid: '0.00',
        outstanding: '201.92',
        status: 'Unpaid',
        balance: {
          label: 'Balance after deduction',
          amount: '0.00',
          deducted: '0.00',
          note: expect.stringMatching(/nothing was deducted/),
        },
      });
    });
  });

  it('R6.2 R7.4 a bill with a negative total: the balance after the crediting adjustment entry', () => {
    const credit = line(
      { kind: 'adjustment', subscriptionId: 'sub-1', forPeriod: '2026-03', quantityDays: -30, daysInPeriod: 31 },
      ['-48.39', '0.00', '-48.39'],
    );
    const document = billDocumentOf({
      ...e7,
      bill: bill({
        period: '2026-04',
        lines: [credit],
        total: usd('-48.39'),
        paidAmount: usd('0.00'),
        outstandingAmount: usd('0.00'),
        status: 'paid',
      }),
      issueEntry: entry('adjustment', '48.39', '148.39'),
      input: null,
    });
    expect(document.balance).toEqual({
      label: 'Balance after credit',
      amount: '148.39',
      deducted: '0.00',
      note: expect.stringMatching(/credited 48\.39 USD/),
    });
    expect(document.lines[0]).toMatchObject({
      description: 'Adjustment of 2026-03',
      quantityDays: '-30',
      unitsTimesDays: '—',
      unitPrice: '—',
      discountRate: '—',
      amount: '-48.39',
    });
    expect(document).toMatchObject({ total: '-48.39', status: 'Paid' });
  });

  it('R7.4 a bill of 0.00 deducts nothing: the balance is unchanged', () => {
    const free = line({ subscriptionId: 'sub-1', forPeriod: '2026-04', quantityDays: 30, daysInPeriod: 30 }, [
      '0.00',
      '0.00',
      '0.00',
    ]);
    const document = billDocumentOf({
      ...e7,
      bill: bill({
        period: '2026-04',
        lines: [free],
        total: usd('0.00'),
        paidAmount: usd('0.00'),
        outstandingAmount: usd('0.00'),
        status: 'paid',
      }),
      issueEntry: null,
      input: null,
    });
    expect(document.balance).toEqual({
      label: 'Balance after deduction',
      amount: 'unchanged',
      deducted: '0.00',
      note: expect.stringMatching(/deducts nothing/),
    });
  });

  it('R1.3 a price change in the month lists both versions; a bill of an unknown account is named by its id', () => {
    const input: LineInput = {
      kind: 'usage',
      subscriptionId: 'sub-1',
      forPeriod: '2026-04',
      daysInPeriod: 30,
      runs: [run('2026-04-01', '2026-04-14', 5, '30', '0'), run('2026-04-15', '2026-04-30', 5, '33.335', '0')],
    };
    const document = billDocumentOf({ ...e7, account: null, input: inputOf([input]) });
    expect(document.lines[0]).toMatchObject({ unitsTimesDays: '5 × 30', unitPrice: '30.00 / 33.335' });
    expect(document.account).toEqual({ id: 'acc-1', name: 'acc-1' });
  });

  it('inputs that do not belong to the lines (another subscription) are not shown', () => {
    const document = billDocumentOf({ ...e7, input: inputOf([{ ...e7Input, subscriptionId: 'other' }]) });
    expect(document.lines[0]).toMatchObject({
      unitsTimesDays: '—',
      unitPrice: '—',
      discountRate: '—',
      amount: '212.50',
    });
  });

  it('a day-by-day varying quantity is summarised rather than listed term by term', () => {
    const runs = [1, 2, 3, 4, 5].map((quantity, index) =>
      run(`2026-04-0${index + 1}`, `2026-04-0${index + 1}`, quantity, '30', '0'),
    );
    const document = billDocumentOf({ ...e7, input: inputOf([{ ...e7Input, runs }]) });
    expect(document.lines[0].unitsTimesDays).toBe('5 quantities, see the explanation');
  });

  it('a file name keeps only safe characters of the account id', () => {
    expect(billDocumentOf({ ...e7, bill: { ...e7.bill, accountId: 'acc:1/x' } }).fileName).toBe('bill-2026-04-acc_1_x');
  });

  it('formatting helpers: the period range of a 28-day month, prices never rounded, rates as percentages', () => {
    expect(periodRangeText(Period.parse('2026-02'))).toBe('2026-02-01 00:00 – 2026-03-01 00:00 UTC+8');
    expect(unitPriceText('45')).toBe('45.00');
    expect(unitPriceText('45.5')).toBe('45.50');
    expect(unitPriceText('33.3333')).toBe('33.3333');
    expect(rateText('0')).toBe('0%');
    expect(rateText('0.0725')).toBe('7.25%');
    expect(rateText('0.15')).toBe('15%');
  });
});
