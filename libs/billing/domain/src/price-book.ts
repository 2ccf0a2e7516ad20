import { billingCalendar, CalendarDate, Currency, Dec, DomainError, isCurrency, parseDecimal } from '@cec/kernel';

/**
 * One price version as it arrives from the catalog (the shape of `ResolvePricesReply.prices`;
 * declared here because a domain lib depends on the kernel only).
 */
export interface PriceVersionInput {
  readonly unitPrice: string;
  readonly currency: string;
  readonly effectiveFrom: string;
}

/** A parsed price version (R1.3): unit price per unit per month, in force from a date on. */
export interface PriceVersion {
  readonly unitPrice: Dec;
  readonly currency: Currency;
  readonly effectiveFrom: CalendarDate;
}

/**
 * The price versions of a set of products, each product's versions sorted by `effectiveFrom`, so
 * the version in force on a day (R1.3: latest `effectiveFrom` not after the day) is a binary search.
 */
export class PriceBook {
  private constructor(private readonly versions: ReadonlyMap<string, readonly PriceVersion[]>) {}

  /** Builds a book from `Record<productCode, versions>`; versions may come in any order. */
  static fromVersions(prices: Readonly<Record<string, readonly PriceVersionInput[]>>): PriceBook {
    const versions = new Map<string, PriceVersion[]>();
    for (const [productCode, list] of Object.entries(prices)) {
      const parsed = list.map((version, index) => PriceBook.parseVersion(version, `prices.${productCode}[${index}]`));
      parsed.sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : 0));
      for (let index = 1; index < parsed.length; index += 1) {
        if (parsed[index].effectiveFrom === parsed[index - 1].effectiveFrom) {
          throw DomainError.validation(
            `prices.${productCode} has two versions effective from ${parsed[index].effectiveFrom}`,
          );
        }
      }
      versions.set(productCode, parsed);
    }
    return new PriceBook(versions);
  }

  static empty(): PriceBook {
    return new PriceBook(new Map());
  }

  /** The product codes the book holds versions for. */
  productCodes(): string[] {
    return [...this.versions.keys()];
  }

  /** The version in force on `date` (R1.3), or undefined when the product has none yet. */
  versionOn(productCode: string, date: CalendarDate): PriceVersion | undefined {
    const list = this.versions.get(productCode);
    if (!list || list.length === 0) {
      return undefined;
    }
    // Largest index whose effectiveFrom <= date.
    let low = 0;
    let high = list.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (list[middle].effectiveFrom <= date) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found === -1 ? undefined : list[found];
  }

  /**
   * The dates in `(after, through]` on which a version of the product takes effect: the only days
   * on which the price in force (R1.3) can differ from the day before (#11: rating runs of days).
   */
  changesWithin(productCode: string, after: CalendarDate, through: CalendarDate, into: CalendarDate[]): void {
    const list = this.versions.get(productCode);
    if (!list) return;
    for (const version of list) {
      if (version.effectiveFrom > through) break;
      if (version.effectiveFrom > after) into.push(version.effectiveFrom);
    }
  }

  /** The unit price in force on `date` (R1.3), or undefined when none is. */
  priceOn(productCode: string, date: CalendarDate): Dec | undefined {
    return this.versionOn(productCode, date)?.unitPrice;
  }

  private static parseVersion(version: PriceVersionInput, field: string): PriceVersion {
    const unitPrice = parseDecimal(version.unitPrice, `${field}.unitPrice`);
    if (unitPrice.isNegative() && !unitPrice.isZero()) {
      throw DomainError.validation(`${field}.unitPrice must not be negative`);
    }
    if (!isCurrency(version.currency)) {
      throw DomainError.validation(`${field}.currency must be a supported currency such as "USD"`);
    }
    return {
      unitPrice,
      currency: version.currency,
      effectiveFrom: billingCalendar.parseDate(version.effectiveFrom, `${field}.effectiveFrom`),
    };
  }
}
