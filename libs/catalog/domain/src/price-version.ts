import { billingCalendar, CalendarDate, DomainError, isCurrency, Currency, Money } from '@cec/kernel';

/** R1.3: a list unit price per unit per month, in force from a calendar date. Append-only. */
export interface PriceVersion {
  readonly productCode: string;
  readonly unitPrice: Money;
  readonly currency: Currency;
  readonly effectiveFrom: CalendarDate;
  /** Free text shown with the price, e.g. that it is sample data (R1.4). */
  readonly label: string | null;
}

export interface NewPriceInput {
  unitPrice: unknown;
  currency: unknown;
  effectiveFrom: unknown;
  label?: unknown;
}

export function createPriceVersion(productCode: string, input: NewPriceInput): PriceVersion {
  if (!isCurrency(input.currency)) {
    throw DomainError.validation('currency must be "USD"');
  }
  const unitPrice = Money.parse(input.unitPrice, 'unitPrice', input.currency);
  if (unitPrice.isNegative()) {
    throw DomainError.validation('unitPrice must not be negative');
  }
  const effectiveFrom = billingCalendar.parseDate(input.effectiveFrom, 'effectiveFrom');
  let label: string | null = null;
  if (input.label !== undefined && input.label !== null) {
    if (typeof input.label !== 'string' || input.label.length > 200) {
      throw DomainError.validation('label must be a string of at most 200 characters');
    }
    label = input.label;
  }
  return { productCode, unitPrice, currency: input.currency, effectiveFrom, label };
}

/** R1.3: the version in force on `date` is the one with the latest effectiveFrom not after it. */
export function priceInForce<T extends { effectiveFrom: CalendarDate }>(versions: readonly T[], date: CalendarDate): T | undefined {
  let found: T | undefined;
  for (const version of versions) {
    if (version.effectiveFrom <= date && (found === undefined || version.effectiveFrom > found.effectiveFrom)) {
      found = version;
    }
  }
  return found;
}

/**
 * The versions that matter for the dates [from, to]: the one in force on `from` and every later
 * one that starts no later than `to`, ordered by effectiveFrom.
 */
export function versionsForRange<T extends { effectiveFrom: CalendarDate }>(versions: readonly T[], from: CalendarDate, to: CalendarDate): T[] {
  const first = priceInForce(versions, from);
  return versions
    .filter((version) => version === first || (version.effectiveFrom > from && version.effectiveFrom <= to))
    .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : 0));
}
