import { billingCalendar, CalendarDate, DomainError, Rate } from '@cec/kernel';

/**
 * An account's commercial discount (R5.1): a rate in [0, 1) for one product (`productCode`) or for
 * all of the account's products (`productCode: null`), over the half-open date range
 * `[effectiveFrom, effectiveTo)`; `effectiveTo: null` is open-ended.
 */
export interface Discount {
  readonly id: string;
  readonly accountId: string;
  readonly productCode: string | null;
  readonly rate: Rate;
  readonly effectiveFrom: CalendarDate;
  readonly effectiveTo: CalendarDate | null;
}

/** Raw fields of a discount as they arrive (strings only; R8.1 names the bad field). */
export interface DiscountInput {
  readonly id: string;
  readonly accountId: string;
  readonly productCode?: string | null;
  readonly rate: unknown;
  readonly effectiveFrom: unknown;
  readonly effectiveTo?: unknown;
}

/** R5.1: `effectiveTo`, when present, must come after `effectiveFrom` (the range is never empty). */
export function assertValidDiscountRange(discount: Pick<Discount, 'effectiveFrom' | 'effectiveTo'>): void {
  if (discount.effectiveTo !== null && discount.effectiveTo <= discount.effectiveFrom) {
    throw DomainError.validation(
      `effectiveTo (${discount.effectiveTo}) must be after effectiveFrom (${discount.effectiveFrom})`,
    );
  }
}

/** Parses and validates a discount (R5.1): rate in [0, 1) with at most 4 decimals, dates, range. */
export function createDiscount(input: DiscountInput): Discount {
  const effectiveFrom = billingCalendar.parseDate(input.effectiveFrom, 'effectiveFrom');
  const effectiveTo =
    input.effectiveTo === undefined || input.effectiveTo === null
      ? null
      : billingCalendar.parseDate(input.effectiveTo, 'effectiveTo');
  const discount: Discount = {
    id: input.id,
    accountId: input.accountId,
    productCode: input.productCode ?? null,
    rate: Rate.parse(input.rate, 'rate'),
    effectiveFrom,
    effectiveTo,
  };
  assertValidDiscountRange(discount);
  return discount;
}

/** Same account and same product scope (`null` = all products is a scope of its own). */
export function sameDiscountScope(a: Discount, b: Discount): boolean {
  return a.accountId === b.accountId && a.productCode === b.productCode;
}

/** Whether two half-open ranges `[from, to)` (open-ended when `to` is null) share a day. */
function rangesOverlap(a: Discount, b: Discount): boolean {
  const aStartsBeforeBEnds = b.effectiveTo === null || a.effectiveFrom < b.effectiveTo;
  const bStartsBeforeAEnds = a.effectiveTo === null || b.effectiveFrom < a.effectiveTo;
  return aStartsBeforeBEnds && bStartsBeforeAEnds;
}

/** R5.2: two discounts of the same scope whose date ranges share at least one day. */
export function discountsOverlap(a: Discount, b: Discount): boolean {
  return sameDiscountScope(a, b) && rangesOverlap(a, b);
}

/**
 * R5.2: refuses a discount that overlaps an existing one of the same scope (a conflict), after
 * checking its own range (a validation failure). An existing discount with the same id (the one
 * being replaced) is ignored.
 */
export function assertNoOverlap(newDiscount: Discount, existing: readonly Discount[]): void {
  assertValidDiscountRange(newDiscount);
  const clash = existing.find((other) => other.id !== newDiscount.id && discountsOverlap(newDiscount, other));
  if (clash) {
    const scope = newDiscount.productCode === null ? 'all products' : `product ${newDiscount.productCode}`;
    throw new DomainError(
      'DISCOUNT_OVERLAP',
      `a discount for ${scope} of account ${newDiscount.accountId} from ${newDiscount.effectiveFrom} to ${
        newDiscount.effectiveTo ?? 'open end'
      } overlaps discount ${clash.id} (${clash.effectiveFrom} to ${clash.effectiveTo ?? 'open end'})`,
    );
  }
}

/** Whether a discount applies on a date: `effectiveFrom <= date < effectiveTo`. */
export function isDiscountActiveOn(discount: Discount, date: CalendarDate): boolean {
  return discount.effectiveFrom <= date && (discount.effectiveTo === null || date < discount.effectiveTo);
}

/**
 * The discount active on `date` among discounts of one scope. Same-scope discounts never overlap
 * (R5.2); should they anyway, the one that started last wins, so the result is deterministic.
 */
function activeOn(discounts: readonly Discount[], date: CalendarDate): Discount | undefined {
  let found: Discount | undefined;
  for (const discount of discounts) {
    if (isDiscountActiveOn(discount, date) && (found === undefined || discount.effectiveFrom > found.effectiveFrom)) {
      found = discount;
    }
  }
  return found;
}

/**
 * r(d) of R4.2 from a list of one account's discounts: the product's own discount wins over an
 * all-products one (R5.2); 0 when none applies.
 */
export function discountRateOn(discounts: readonly Discount[], productCode: string, date: CalendarDate): Rate {
  const own = activeOn(
    discounts.filter((discount) => discount.productCode === productCode),
    date,
  );
  if (own) {
    return own.rate;
  }
  const all = activeOn(
    discounts.filter((discount) => discount.productCode === null),
    date,
  );
  return all ? all.rate : Rate.zero();
}

/** Discounts indexed by account and scope, for rating many subscriptions and days. */
export class DiscountBook {
  private constructor(private readonly byAccount: ReadonlyMap<string, ReadonlyMap<string | null, readonly Discount[]>>) {}

  static of(discounts: readonly Discount[]): DiscountBook {
    const byAccount = new Map<string, Map<string | null, Discount[]>>();
    for (const discount of discounts) {
      let byScope = byAccount.get(discount.accountId);
      if (!byScope) {
        byScope = new Map();
        byAccount.set(discount.accountId, byScope);
      }
      const list = byScope.get(discount.productCode);
      if (list) {
        list.push(discount);
      } else {
        byScope.set(discount.productCode, [discount]);
      }
    }
    return new DiscountBook(byAccount);
  }

  static empty(): DiscountBook {
    return new DiscountBook(new Map());
  }

  /**
   * The dates in `(after, through]` on which a discount of the account for the product or for all
   * products starts or ends: the only days on which r(d) (R5.2) can differ from the day before
   * (#11: rating runs of days).
   */
  changesWithin(accountId: string, productCode: string, after: CalendarDate, through: CalendarDate, into: CalendarDate[]): void {
    const byScope = this.byAccount.get(accountId);
    if (!byScope) return;
    for (const list of [byScope.get(productCode), byScope.get(null)]) {
      for (const discount of list ?? []) {
        if (discount.effectiveFrom > after && discount.effectiveFrom <= through) into.push(discount.effectiveFrom);
        const to = discount.effectiveTo;
        if (to !== null && to > after && to <= through) into.push(to);
      }
    }
  }

  /** r(d) of R4.2 for one account: product discount first, then all-products, else 0 (R5.2). */
  rateOn(accountId: string, productCode: string, date: CalendarDate): Rate {
    const byScope = this.byAccount.get(accountId);
    if (!byScope) {
      return Rate.zero();
    }
    const own = activeOn(byScope.get(productCode) ?? [], date);
    if (own) {
      return own.rate;
    }
    const all = activeOn(byScope.get(null) ?? [], date);
    return all ? all.rate : Rate.zero();
  }
}
