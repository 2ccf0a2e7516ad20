import { DomainError, Rate } from '@cec/kernel';
import {
  assertNoOverlap,
  createDiscount,
  Discount,
  DiscountBook,
  discountRateOn,
  discountsOverlap,
  isDiscountActiveOn,
} from './discount';

function discount(
  id: string,
  productCode: string | null,
  effectiveFrom: string,
  effectiveTo: string | null,
  rate = '0.10',
  accountId = 'acc_1',
): Discount {
  return createDiscount({ id, accountId, productCode, rate, effectiveFrom, effectiveTo });
}

function caught(action: () => unknown): DomainError {
  try {
    action();
  } catch (error) {
    if (error instanceof DomainError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('discount: R5.1 shape and validation', () => {
  it('R5.1 parses a rate in [0, 1) with at most 4 decimals and an optional open end', () => {
    const parsed = createDiscount({ id: 'd', accountId: 'a', rate: '0.1234', effectiveFrom: '2026-01-01' });
    expect(parsed).toMatchObject({ productCode: null, effectiveTo: null, effectiveFrom: '2026-01-01' });
    expect(parsed.rate.equals(Rate.parse('0.1234'))).toBe(true);
  });

  it.each([['1'], ['0.12345'], ['-0.1'], ['1.5'], [0.1]])('R5.1 refuses the rate %p', (rate) => {
    expect(caught(() => createDiscount({ id: 'd', accountId: 'a', rate, effectiveFrom: '2026-01-01' })).kind).toBe('validation');
  });

  it('R5.1 refuses an effectiveTo that is not after effectiveFrom (validation, naming the fields)', () => {
    for (const effectiveTo of ['2026-01-01', '2025-12-31']) {
      const error = caught(() => discount('d', null, '2026-01-01', effectiveTo));
      expect(error.kind).toBe('validation');
      expect(error.message).toMatch(/effectiveTo.*effectiveFrom/);
    }
    expect(caught(() => discount('d', null, '2026-13-01', null)).message).toMatch(/effectiveFrom/);
  });

  it('R5.1 a discount applies on [effectiveFrom, effectiveTo): the end day is excluded', () => {
    const d = discount('d', null, '2026-04-11', '2026-04-21');
    expect(isDiscountActiveOn(d, '2026-04-10')).toBe(false);
    expect(isDiscountActiveOn(d, '2026-04-11')).toBe(true);
    expect(isDiscountActiveOn(d, '2026-04-20')).toBe(true);
    expect(isDiscountActiveOn(d, '2026-04-21')).toBe(false);
    expect(isDiscountActiveOn(discount('o', null, '2026-04-11', null), '2099-01-01')).toBe(true);
  });
});

describe('discount: R5.2 overlap of same-scope discounts', () => {
  it('R5.2 same scope, sharing a day: overlap', () => {
    expect(discountsOverlap(discount('a', null, '2026-01-01', '2026-02-01'), discount('b', null, '2026-01-31', null))).toBe(true);
    expect(discountsOverlap(discount('a', 'basic-cec', '2026-01-10', '2026-01-20'), discount('b', 'basic-cec', '2026-01-01', '2026-03-01'))).toBe(true);
  });

  it('R5.2 open-ended ranges overlap everything after their start', () => {
    expect(discountsOverlap(discount('a', null, '2026-01-01', null), discount('b', null, '2030-01-01', null))).toBe(true);
    expect(discountsOverlap(discount('a', null, '2026-01-01', null), discount('b', null, '2025-01-01', '2026-01-02'))).toBe(true);
    expect(discountsOverlap(discount('a', null, '2026-01-01', null), discount('b', null, '2025-01-01', '2026-01-01'))).toBe(false);
  });

  it('R5.2 adjacent half-open ranges [a, b) and [b, c) do not overlap', () => {
    const first = discount('a', null, '2026-01-01', '2026-02-01');
    const second = discount('b', null, '2026-02-01', null);
    expect(discountsOverlap(first, second)).toBe(false);
    expect(discountsOverlap(second, first)).toBe(false);
  });

  it('R5.2 different scopes never overlap: product vs all products, other product, other account', () => {
    const all = discount('a', null, '2026-01-01', null);
    expect(discountsOverlap(all, discount('b', 'basic-cec', '2026-01-01', null))).toBe(false);
    expect(discountsOverlap(discount('c', 'basic-cec', '2026-01-01', null), discount('d', 'advanced-cec', '2026-01-01', null))).toBe(false);
    expect(discountsOverlap(all, discount('e', null, '2026-01-01', null, '0.10', 'acc_2'))).toBe(false);
  });

  it('R5.2 assertNoOverlap refuses the second discount with a DISCOUNT_OVERLAP conflict naming the first', () => {
    const existing = [discount('dsc_1', 'basic-cec', '2026-01-01', '2026-07-01'), discount('dsc_2', null, '2026-01-01', null)];
    const error = caught(() => assertNoOverlap(discount('dsc_3', 'basic-cec', '2026-06-30', null), existing));
    expect(error.code).toBe('DISCOUNT_OVERLAP');
    expect(error.kind).toBe('conflict');
    expect(error.message).toMatch(/dsc_1/);
    expect(() => assertNoOverlap(discount('dsc_4', 'basic-cec', '2026-07-01', null), existing)).not.toThrow();
    // the discount being replaced does not clash with itself
    expect(() => assertNoOverlap(discount('dsc_1', 'basic-cec', '2026-01-01', '2026-08-01'), existing)).not.toThrow();
  });

  it('R5.1 assertNoOverlap validates the new range first', () => {
    const invalid: Discount = { ...discount('x', null, '2026-01-01', null), effectiveTo: '2025-01-01' };
    expect(caught(() => assertNoOverlap(invalid, [])).kind).toBe('validation');
  });
});

describe('discount: R5.2 which rate applies on a day', () => {
  const discounts = [
    discount('all', null, '2026-01-01', null, '0.10'),
    discount('pro', 'professional-cec', '2026-04-11', '2026-04-21', '0.25'),
  ];

  it('R5.2 the product discount wins over the all-products one while in force', () => {
    expect(discountRateOn(discounts, 'professional-cec', '2026-04-10').toString()).toBe('0.1');
    expect(discountRateOn(discounts, 'professional-cec', '2026-04-11').toString()).toBe('0.25');
    expect(discountRateOn(discounts, 'professional-cec', '2026-04-20').toString()).toBe('0.25');
    expect(discountRateOn(discounts, 'professional-cec', '2026-04-21').toString()).toBe('0.1');
    expect(discountRateOn(discounts, 'basic-cec', '2026-04-15').toString()).toBe('0.1');
  });

  it('R4.2 r(d) is 0 when no discount applies', () => {
    expect(discountRateOn(discounts, 'basic-cec', '2025-12-31').toString()).toBe('0');
    expect(discountRateOn([], 'basic-cec', '2026-01-01').toString()).toBe('0');
  });

  it('R5.2 a DiscountBook answers like the list, per account', () => {
    const book = DiscountBook.of([...discounts, discount('other', null, '2020-01-01', null, '0.5', 'acc_2')]);
    for (const date of ['2025-12-31', '2026-04-10', '2026-04-11', '2026-04-21']) {
      for (const product of ['professional-cec', 'basic-cec']) {
        expect(book.rateOn('acc_1', product, date).equals(discountRateOn(discounts, product, date))).toBe(true);
      }
    }
    expect(book.rateOn('acc_2', 'basic-cec', '2026-01-01').toString()).toBe('0.5');
    expect(book.rateOn('acc_3', 'basic-cec', '2026-01-01').toString()).toBe('0');
    expect(DiscountBook.empty().rateOn('acc_1', 'basic-cec', '2026-01-01').toString()).toBe('0');
  });
});
