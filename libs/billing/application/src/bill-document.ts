import type { DateTime } from 'luxon';
import { BILLING_ZONE, billingCalendar, Dec, Money, Period } from '@cec/kernel';
import type { BillInput, BillStatus, DayRunInput, LineInput } from '@cec/billing-domain';
import type { BillLineView, BillView, LedgerEntryView } from './billing.ports';

// Issue 12: the bill document (HTML and PDF) is rendered from this view model. It is pure: every
// figure is a formatted string made here from the stored bill, its kept inputs and its ledger
// entry; the renderers only lay the strings out. Money is the stored decimal, two places (R4.4).

/** The enterprise a bill is addressed to, as billing knows it from `subscription.account.created`. */
export interface DocumentAccount {
  readonly id: string;
  readonly name: string;
}

/** Everything a bill document is made from. */
export interface BillDocumentSource {
  readonly bill: BillView;
  /** Null when billing does not know the account (the document then names it by its id). */
  readonly account: DocumentAccount | null;
  /**
   * The ledger entry the bill's issue wrote (R7.4/R7.6): its `deduction`, or the `adjustment` that
   * credited a negative total; null when the issue changed no balance (nothing could be deducted).
   */
  readonly issueEntry: LedgerEntryView | null;
  /** The inputs kept with the bill (issue 10); null for bills issued before inputs were kept. */
  readonly input: BillInput | null;
  /** When the document is made: paid and outstanding are as of then (a top-up may settle later, R7.5). */
  readonly asOf: DateTime;
}

export interface BillDocumentLine {
  /** 1-based position on the bill. */
  readonly position: string;
  readonly kind: 'usage' | 'adjustment';
  /** `Usage 2026-10`, or `Adjustment of 2026-09` (R6.2: late usage of a month billed before). */
  readonly description: string;
  readonly productCode: string;
  readonly subscriptionId: string;
  /** The month the line charges or corrects. */
  readonly forPeriod: string;
  /**
   * Units × days, from the kept inputs: `10 × 15`, `3 × 29 + 9 × 1`; adjustments: the month
   * re-rated minus what was billed, `10 × 16 - 150 billed`. `—` when no inputs were kept.
   */
  readonly unitsTimesDays: string;
  /** Σ q(d) of R4.4 (adjustments: the difference to what was billed). */
  readonly quantityDays: string;
  /** D of R4.3. */
  readonly daysInPeriod: string;
  /** The list unit price per unit per month (R1.3): every price version used, `30.00 / 33.33`; `—` when unknown. */
  readonly unitPrice: string;
  /** The discount rates applied (R5), as percentages: `15%`, `0%`, `15% / 7.25%`; `—` when unknown. */
  readonly discountRate: string;
  readonly listAmount: string;
  readonly discountAmount: string;
  readonly amount: string;
}

export interface BillDocumentBalance {
  /** `Balance after deduction`, or `Balance after credit` for a bill with a negative total. */
  readonly label: string;
  /** The balance once the bill was issued, two places; `unchanged` for a bill of 0.00. */
  readonly amount: string;
  /** What the issue took from the balance (R7.4), two places. */
  readonly deducted: string;
  /** Why there is no ledger entry to read it from, when there is none. */
  readonly note: string | null;
}

export interface BillDocument {
  readonly billId: string;
  /** A file name without extension: `bill-2026-10-acc_1`. */
  readonly fileName: string;
  readonly currency: string;
  /** `Paid`, `Partially paid`, `Unpaid` (R7.4). */
  readonly status: string;
  readonly account: DocumentAccount;
  /** `YYYY-MM`. */
  readonly period: string;
  /** `2026-10-01 00:00 – 2026-11-01 00:00 UTC+8` (R2.1: the end is exclusive). */
  readonly periodRange: string;
  /** `2026-11-01 00:00:05 UTC+8`. */
  readonly issuedAt: string;
  /** `2026-11-01` (UTC+8). */
  readonly issueDate: string;
  /** When the document was made, `2026-11-03 10:00:00 UTC+8`. */
  readonly asOf: string;
  readonly lines: readonly BillDocumentLine[];
  /** Σ listAmount of the lines. */
  readonly listTotal: string;
  /** Σ discountAmount of the lines. */
  readonly discountTotal: string;
  /** The bill's total: Σ amount of the lines (R4.5). */
  readonly total: string;
  readonly paid: string;
  readonly outstanding: string;
  readonly balance: BillDocumentBalance;
}

/** The formats of a bill document served by `GET /v1/bills/:id/document`. */
export const BILL_DOCUMENT_FORMATS = ['html', 'pdf'] as const;
export type BillDocumentFormat = (typeof BILL_DOCUMENT_FORMATS)[number];

const STATUS_LABELS: Record<BillStatus, string> = { paid: 'Paid', partially_paid: 'Partially paid', unpaid: 'Unpaid' };
/** At most this many `units × days` terms are listed; beyond, the line says how many quantities it had. */
const MAX_TERMS = 4;
const NONE = '—';

function instantText(instant: DateTime): string {
  return instant.setZone(BILLING_ZONE).toFormat(`yyyy-MM-dd HH:mm:ss '${BILLING_ZONE}'`);
}

function minuteText(instant: DateTime): string {
  return instant.setZone(BILLING_ZONE).toFormat('yyyy-MM-dd HH:mm');
}

/** `2026-10-01 00:00 – 2026-11-01 00:00 UTC+8`. */
export function periodRangeText(period: Period): string {
  const start = minuteText(billingCalendar.startOfPeriod(period));
  return `${start} – ${minuteText(billingCalendar.endOfPeriod(period))} ${BILLING_ZONE}`;
}

/** A unit price: two places, or every decimal of a price version that has more (never rounded here). */
export function unitPriceText(value: string): string {
  const price = new Dec(value);
  return price.decimalPlaces() <= 2 ? price.toFixed(2) : price.toString();
}

/** A discount rate in [0, 1) as a percentage: `0.15` → `15%`, `0.0725` → `7.25%`. */
export function rateText(value: string): string {
  return `${new Dec(value).times(100).toString()}%`;
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function runDays(run: DayRunInput): number {
  // both ends are dates of the same month (YYYY-MM-DD), inclusive
  return Number(run.to.slice(8, 10)) - Number(run.from.slice(8, 10)) + 1;
}

/** `3 × 29 + 9 × 1`: days summed per quantity, in order of first appearance. */
function unitsTimesDaysOf(runs: readonly DayRunInput[]): string {
  const byQuantity = new Map<number, number>();
  for (const run of runs) byQuantity.set(run.quantity, (byQuantity.get(run.quantity) ?? 0) + runDays(run));
  if (byQuantity.size === 0) return '0';
  if (byQuantity.size > MAX_TERMS) return `${byQuantity.size} quantities, see the explanation`;
  return [...byQuantity].map(([quantity, days]) => `${quantity} × ${days}`).join(' + ');
}

function lineOf(line: BillLineView, input: LineInput | null, position: number): BillDocumentLine {
  // the kept input belongs to the line only when it names the same subscription and month
  const kept =
    input && input.subscriptionId === line.subscriptionId && input.forPeriod === line.forPeriod ? input : null;
  let unitsTimesDays = NONE;
  if (kept) {
    const rated = unitsTimesDaysOf(kept.runs);
    unitsTimesDays = kept.billed ? `${rated} - ${kept.billed.quantityDays} billed` : rated;
  }
  const prices = kept ? distinct(kept.runs.map((run) => unitPriceText(run.unitPrice))) : [];
  const rates = kept ? distinct(kept.runs.map((run) => rateText(run.rate))) : [];
  return {
    position: String(position),
    kind: line.kind,
    description: line.kind === 'adjustment' ? `Adjustment of ${line.forPeriod}` : `Usage ${line.forPeriod}`,
    productCode: line.productCode,
    subscriptionId: line.subscriptionId,
    forPeriod: line.forPeriod,
    unitsTimesDays,
    quantityDays: String(line.quantityDays),
    daysInPeriod: String(line.daysInPeriod),
    unitPrice: prices.length > 0 ? prices.join(' / ') : NONE,
    discountRate: rates.length > 0 ? rates.join(' / ') : NONE,
    listAmount: line.listAmount.toString(),
    discountAmount: line.discountAmount.toString(),
    amount: line.amount.toString(),
  };
}

function balanceOf(bill: BillView, entry: LedgerEntryView | null): BillDocumentBalance {
  const zero = Money.zero(bill.currency).toString();
  if (entry?.type === 'deduction') {
    return {
      label: 'Balance after deduction',
      amount: entry.balanceAfter.toString(),
      deducted: entry.amount.negated().toString(),
      note: null,
    };
  }
  if (entry?.type === 'adjustment') {
    return {
      label: 'Balance after credit',
      amount: entry.balanceAfter.toString(),
      deducted: zero,
      note: `the bill's negative total credited ${entry.amount.toString()} ${bill.currency} to the balance (R6.2)`,
    };
  }
  if (bill.total.isPositive()) {
    // R7.4: the issue deducts min(balance, total); no deduction of a positive total means an empty balance
    return {
      label: 'Balance after deduction',
      amount: zero,
      deducted: zero,
      note: 'the balance was 0.00 when the bill was issued: nothing was deducted (R7.4)',
    };
  }
  return {
    label: 'Balance after deduction',
    amount: 'unchanged',
    deducted: zero,
    note: 'a bill of 0.00 deducts nothing (R7.4)',
  };
}

/** A file name part from an id: letters, digits, `.`, `_` and `-` only. */
function fileNamePart(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** Issue 12: the bill document's view model, every figure formatted (pure). */
export function billDocumentOf(source: BillDocumentSource): BillDocument {
  const { bill } = source;
  const period = Period.parse(bill.period);
  const sum = (pick: (line: BillLineView) => Money): string =>
    bill.lines.reduce((total, line) => total.plus(pick(line)), Money.zero(bill.currency)).toString();
  const inputs = source.input && source.input.lines.length === bill.lines.length ? source.input.lines : null;
  return {
    billId: bill.id,
    fileName: `bill-${bill.period}-${fileNamePart(bill.accountId)}`,
    currency: bill.currency,
    status: STATUS_LABELS[bill.status],
    account: source.account ?? { id: bill.accountId, name: bill.accountId },
    period: bill.period,
    periodRange: periodRangeText(period),
    issuedAt: instantText(bill.issuedAt),
    issueDate: bill.issuedAt.setZone(BILLING_ZONE).toFormat('yyyy-MM-dd'),
    asOf: instantText(source.asOf),
    lines: bill.lines.map((line, index) => lineOf(line, inputs?.[index] ?? null, index + 1)),
    listTotal: sum((line) => line.listAmount),
    discountTotal: sum((line) => line.discountAmount),
    total: bill.total.toString(),
    paid: bill.paidAmount.toString(),
    outstanding: bill.outstandingAmount.toString(),
    balance: balanceOf(bill, source.issueEntry),
  };
}
