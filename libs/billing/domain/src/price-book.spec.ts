import fc from 'fast-check';
import { DomainError } from '@cec/kernel';
import { PriceBook } from './price-book';

describe('PriceBook (R1.3 versioned prices)', () => {
  const book = PriceBook.fromVersions({
    // deliberately out of order: the book sorts
    'basic-cec': [
      { unitPrice: '50.00', currency: 'USD', effectiveFrom: '2026-03-01' },
      { unitPrice: '45.00', currency: 'USD', effectiveFrom: '2025-01-01' },
      { unitPrice: '48.50', currency: 'USD', effectiveFrom: '2025-11-15' },
    ],
    'text-chatbot': [{ unitPrice: '10', currency: 'USD', effectiveFrom: '2026-01-01' }],
  });

  it('R1.3 the version in force is the one with the latest effectiveFrom not after the day', () => {
    expect(book.priceOn('basic-cec', '2025-01-01')?.toFixed(2)).toBe('45.00');
    expect(book.priceOn('basic-cec', '2025-11-14')?.toFixed(2)).toBe('45.00');
    expect(book.priceOn('basic-cec', '2025-11-15')?.toFixed(2)).toBe('48.50');
    expect(book.priceOn('basic-cec', '2026-02-28')?.toFixed(2)).toBe('48.50');
    expect(book.priceOn('basic-cec', '2026-03-01')?.toFixed(2)).toBe('50.00');
    expect(book.priceOn('basic-cec', '2099-12-31')?.toFixed(2)).toBe('50.00');
    expect(book.versionOn('text-chatbot', '2026-04-01')).toMatchObject({ currency: 'USD', effectiveFrom: '2026-01-01' });
  });

  it('R1.3 no price before the first version, nor for an unknown product', () => {
    expect(book.priceOn('basic-cec', '2024-12-31')).toBeUndefined();
    expect(book.priceOn('advanced-cec', '2026-01-01')).toBeUndefined();
    expect(PriceBook.empty().priceOn('basic-cec', '2026-01-01')).toBeUndefined();
    expect(book.productCodes().sort()).toEqual(['basic-cec', 'text-chatbot']);
  });

  it('R1.3 refuses malformed versions and two versions of one product on the same day', () => {
    const version = { unitPrice: '1.00', currency: 'USD', effectiveFrom: '2026-01-01' };
    for (const bad of [
      { ...version, unitPrice: '1e2' },
      { ...version, unitPrice: '-1.00' },
      { ...version, currency: 'EUR' },
      { ...version, effectiveFrom: '2026-02-30' },
    ]) {
      expect(() => PriceBook.fromVersions({ p: [bad] })).toThrow(DomainError);
    }
    expect(() => PriceBook.fromVersions({ p: [version, { ...version, unitPrice: '2.00' }] })).toThrow(/two versions/);
  });

  it('R1.3 property: the binary search agrees with a linear scan', () => {
    const day = fc.integer({ min: 0, max: 3000 }).map((n) => new Date(Date.UTC(2020, 0, 1 + n)).toISOString().slice(0, 10));
    fc.assert(
      fc.property(fc.uniqueArray(day, { minLength: 0, maxLength: 20 }), day, (starts, probe) => {
        const versions = starts.map((effectiveFrom, index) => ({ unitPrice: `${index}.00`, currency: 'USD', effectiveFrom }));
        const expected = versions.filter((v) => v.effectiveFrom <= probe).sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? 1 : -1))[0];
        const found = PriceBook.fromVersions({ p: versions }).priceOn('p', probe);
        expect(found?.toFixed(2)).toBe(expected?.unitPrice);
      }),
      { numRuns: 200 },
    );
  });
});
