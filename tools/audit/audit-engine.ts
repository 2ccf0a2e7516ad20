/**
 * Issue 10: an INDEPENDENT re-derivation of bills from the inputs kept with them (`bill_input`).
 *
 * Deliberately shares no code with the production rating (no @cec/* import, no decimal.js): exact
 * rational arithmetic on BigInt numerators and denominators, its own decimal parser, its own
 * price look-up (R1.3: the version with the latest effectiveFrom not after the day; of several
 * products held that day the highest price, R3.5/R4.2) and its own rounding (R4.4: once per line
 * total, to cents, half away from zero). Adjustment lines (R6.2) are the re-rated amounts minus what
 * was billed before (kept in the input).
 */

/** A rational number n/d with d > 0, in lowest terms. */
export class Rational {
  private constructor(
    readonly n: bigint,
    readonly d: bigint,
  ) {}

  static of(n: bigint, d = 1n): Rational {
    if (d === 0n) throw new Error('division by zero');
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const g = gcd(n < 0n ? -n : n, d);
    return g > 1n ? new Rational(n / g, d / g) : new Rational(n, d);
  }

  static readonly ZERO = Rational.of(0n);
  static readonly ONE = Rational.of(1n);

  /** Parses a plain decimal string ("-12.5", "0.15", "3", "1e-7"). */
  static parse(text: string): Rational {
    const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
    if (!match || (match[2] === '' && (match[3] ?? '') === '')) throw new Error(`not a decimal: ${JSON.stringify(text)}`);
    const [, sign, whole, fraction = '', exponentText] = match;
    const exponent = Number(exponentText ?? 0) - fraction.length;
    let n = BigInt(`${whole || '0'}${fraction}`);
    let d = 1n;
    if (exponent >= 0) n *= 10n ** BigInt(exponent);
    else d = 10n ** BigInt(-exponent);
    return Rational.of(sign === '-' ? -n : n, d);
  }

  plus(other: Rational): Rational {
    return Rational.of(this.n * other.d + other.n * this.d, this.d * other.d);
  }

  minus(other: Rational): Rational {
    return Rational.of(this.n * other.d - other.n * this.d, this.d * other.d);
  }

  times(other: Rational): Rational {
    return Rational.of(this.n * other.n, this.d * other.d);
  }

  dividedBy(other: Rational): Rational {
    return Rational.of(this.n * other.d, this.d * other.n);
  }

  compare(other: Rational): number {
    const left = this.n * other.d;
    const right = other.n * this.d;
    return left < right ? -1 : left > right ? 1 : 0;
  }

  /** R4.4: to whole cents, half away from zero. */
  toCents(): bigint {
    const negative = this.n < 0n;
    const magnitude = (negative ? -this.n : this.n) * 100n;
    let cents = magnitude / this.d;
    if ((magnitude % this.d) * 2n >= this.d) cents += 1n;
    return negative ? -cents : cents;
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

/** Cents of a stored amount ("12.30", "-0.01"); throws unless it has at most 2 decimals. */
export function centsOf(text: string): bigint {
  const value = Rational.parse(text).times(Rational.of(100n));
  if (value.d !== 1n) throw new Error(`not an amount in cents: ${text}`);
  return value.n;
}

export function formatCents(cents: bigint): string {
  const negative = cents < 0n;
  const magnitude = negative ? -cents : cents;
  return `${negative ? '-' : ''}${magnitude / 100n}.${String(magnitude % 100n).padStart(2, '0')}`;
}

// ---- the kept input (the JSON of `bill_input.input`), read defensively ----

export interface KeptRun {
  from: string;
  to: string;
  quantity: number;
  products: string[];
  pricedProduct: string;
  unitPrice: string;
  rate: string;
}

export interface KeptLine {
  kind: 'usage' | 'adjustment';
  subscriptionId: string;
  forPeriod: string;
  daysInPeriod: number;
  runs: KeptRun[];
  billed?: { quantityDays: number; listAmount: string; discountAmount: string; amount: string };
}

export interface KeptInput {
  version: number;
  currency: string;
  lines: KeptLine[];
  prices: { productCode: string; unitPrice: string; effectiveFrom: string; currency: string }[];
}

export interface StoredLine {
  position: number;
  kind: string;
  subscriptionId: string;
  forPeriod: string;
  quantityDays: number;
  daysInPeriod: number;
  listAmount: string;
  discountAmount: string;
  amount: string;
}

export interface StoredBill {
  id: string;
  accountId: string;
  currency: string;
  total: string;
  lines: StoredLine[];
  input: KeptInput | null;
}

export interface Difference {
  billId: string;
  /** 1-based line position, or null for the bill itself. */
  position: number | null;
  field: string;
  stored: string;
  derived: string;
}

/** Days in a month by the proleptic Gregorian calendar (no Date object: independent of any zone). */
export function daysInMonth(period: string): number {
  const year = Number(period.slice(0, 4));
  const month = Number(period.slice(5, 7));
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

type PriceIndex = Map<string, { from: string; price: Rational; currency: string }[]>;

function priceIndex(input: KeptInput): PriceIndex {
  const index: PriceIndex = new Map();
  for (const version of input.prices ?? []) {
    const list = index.get(version.productCode) ?? [];
    list.push({ from: version.effectiveFrom, price: Rational.parse(version.unitPrice), currency: version.currency });
    index.set(version.productCode, list);
  }
  for (const list of index.values()) list.sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  return index;
}

/** R1.3 and R3.5: the highest of the prices in force on `date` of the products held; null when one has none. */
function priceOn(index: PriceIndex, products: readonly string[], date: string, currency: string): Rational | null {
  let best: Rational | null = null;
  for (const product of products) {
    let found: Rational | null = null;
    for (const version of index.get(product) ?? []) {
      if (version.from <= date && version.currency === currency) found = version.price;
    }
    if (found === null) return null;
    if (best === null || found.compare(best) > 0) best = found;
  }
  return best;
}

interface DerivedLine {
  quantityDays: bigint;
  listCents: bigint;
  discountCents: bigint;
  amountCents: bigint;
}

function deriveLine(billId: string, position: number, line: KeptLine, index: PriceIndex, currency: string, differences: Difference[]): DerivedLine {
  const days = Rational.of(BigInt(daysInMonth(line.forPeriod)));
  if (line.daysInPeriod !== daysInMonth(line.forPeriod)) {
    differences.push({ billId, position, field: 'input.daysInPeriod', stored: String(line.daysInPeriod), derived: String(daysInMonth(line.forPeriod)) });
  }
  let quantityDays = 0n;
  let list = Rational.ZERO;
  let net = Rational.ZERO;
  for (const run of line.runs) {
    const first = Number(run.from.slice(8, 10));
    const last = Number(run.to.slice(8, 10));
    const kept = Rational.parse(run.unitPrice);
    const complement = Rational.ONE.minus(Rational.parse(run.rate));
    const quantity = Rational.of(BigInt(run.quantity));
    for (let day = first; day <= last; day += 1) {
      const date = `${line.forPeriod}-${String(day).padStart(2, '0')}`;
      // the unit price from the kept price versions, not from the run: the run's price is checked
      const price = priceOn(index, run.products, date, currency);
      if (price === null || price.compare(kept) !== 0) {
        differences.push({ billId, position, field: `unitPrice ${date}`, stored: run.unitPrice, derived: price === null ? 'no price in force' : `${price.n}/${price.d}` });
      }
      const charge = quantity.times(price ?? kept);
      quantityDays += BigInt(run.quantity);
      list = list.plus(charge);
      net = net.plus(charge.times(complement));
    }
  }
  const listCents = list.dividedBy(days).toCents();
  const amountCents = net.dividedBy(days).toCents();
  const derived = { quantityDays, listCents, discountCents: listCents - amountCents, amountCents };
  if (!line.billed) return derived;
  return {
    quantityDays: derived.quantityDays - BigInt(line.billed.quantityDays),
    listCents: derived.listCents - centsOf(line.billed.listAmount),
    discountCents: derived.discountCents - centsOf(line.billed.discountAmount),
    amountCents: derived.amountCents - centsOf(line.billed.amount),
  };
}

/** Re-derives one bill from its kept input and lists every difference with what is stored. */
export function auditBill(bill: StoredBill): { lines: number; differences: Difference[] } {
  const differences: Difference[] = [];
  const input = bill.input;
  if (!input || !Array.isArray(input.lines)) {
    differences.push({ billId: bill.id, position: null, field: 'input', stored: 'none kept', derived: 'an input per bill' });
    return { lines: bill.lines.length, differences };
  }
  if (input.lines.length !== bill.lines.length) {
    differences.push({ billId: bill.id, position: null, field: 'lines', stored: String(bill.lines.length), derived: String(input.lines.length) });
  }
  const index = priceIndex(input);
  let totalCents = 0n;
  let storedSum = 0n;
  bill.lines.forEach((stored, offset) => {
    storedSum += centsOf(stored.amount);
    const kept = input.lines[offset];
    if (!kept) return;
    const position = stored.position;
    const derived = deriveLine(bill.id, position, kept, index, bill.currency, differences);
    totalCents += derived.amountCents;
    const compare = (field: string, storedValue: string, derivedValue: string): void => {
      if (storedValue !== derivedValue) differences.push({ billId: bill.id, position, field, stored: storedValue, derived: derivedValue });
    };
    compare('kind', stored.kind, kept.kind);
    compare('subscriptionId', stored.subscriptionId, kept.subscriptionId);
    compare('forPeriod', stored.forPeriod, kept.forPeriod);
    compare('daysInPeriod', String(stored.daysInPeriod), String(daysInMonth(kept.forPeriod)));
    compare('quantityDays', String(stored.quantityDays), derived.quantityDays.toString());
    compare('listAmount', formatCents(centsOf(stored.listAmount)), formatCents(derived.listCents));
    compare('discountAmount', formatCents(centsOf(stored.discountAmount)), formatCents(derived.discountCents));
    compare('amount', formatCents(centsOf(stored.amount)), formatCents(derived.amountCents));
  });
  const total = formatCents(centsOf(bill.total));
  // R4.5: the total is the sum of the lines as stored, and as re-derived
  if (total !== formatCents(storedSum)) differences.push({ billId: bill.id, position: null, field: 'total (sum of stored lines)', stored: total, derived: formatCents(storedSum) });
  if (total !== formatCents(totalCents)) differences.push({ billId: bill.id, position: null, field: 'total', stored: total, derived: formatCents(totalCents) });
  return { lines: bill.lines.length, differences };
}
