import { DomainError } from '@cec/kernel';
import { createPriceVersion, createProduct, priceInForce, SAMPLE_PRICES, SAMPLE_PRICE_LABEL, SAMPLE_PRODUCTS, versionsForRange } from './index';

const valid = { code: 'basic-cec', name: 'Basic CEC', unit: 'agent', features: ['softphone'], billingModes: ['pay_per_use'] };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof DomainError ? `${error.code}: ${error.message}` : 'not a DomainError';
  }
  return undefined;
}

describe('R1.1 products', () => {
  it('accepts a product with code, name, unit, features and billing modes', () => {
    expect(createProduct(valid)).toEqual({ code: 'basic-cec', name: 'Basic CEC', unit: 'agent', features: ['softphone'], billingModes: ['pay_per_use'] });
  });

  it.each([
    [{ code: 'Basic CEC' }, /VALIDATION_FAILED: code/],
    [{ code: 42 }, /VALIDATION_FAILED: code/],
    [{ name: '' }, /VALIDATION_FAILED: name/],
    [{ unit: 'seat' }, /VALIDATION_FAILED: unit/],
    [{ features: 'softphone' }, /VALIDATION_FAILED: features/],
    [{ features: [''] }, /VALIDATION_FAILED: features/],
    [{ billingModes: [] }, /VALIDATION_FAILED: billingModes/],
    [{ billingModes: ['yearly'] }, /UNSUPPORTED_BILLING_MODE: billingModes/],
  ])('R8.1 refuses %p naming the field', (patch, expected) => {
    expect(codeOf(() => createProduct({ ...valid, ...patch }))).toMatch(expected);
  });

  it('R1.1/R1.2 the sample catalog holds the five products, each edition including the one below', () => {
    expect(SAMPLE_PRODUCTS.map((p) => p.code)).toEqual(['basic-cec', 'professional-cec', 'advanced-cec', 'voice-chatbot', 'text-chatbot']);
    const products = SAMPLE_PRODUCTS.map((p) => createProduct(p));
    const [basic, professional, advanced, voice, text] = products;
    expect(basic.unit).toBe('agent');
    expect(voice.unit).toBe('channel');
    expect(text.unit).toBe('channel');
    expect(professional.features).toEqual([...basic.features, 'automatic outbound call']);
    expect(advanced.features).toEqual([...professional.features, 'web chat', 'social-media agent']);
    expect(voice.features).toEqual(['ASR', 'TTS', 'OIAP']);
    expect(text.features).toEqual(['OIAP']);
  });

  it('R1.4 sample prices are labelled as sample data', () => {
    for (const product of SAMPLE_PRODUCTS) {
      expect(createPriceVersion(product.code, SAMPLE_PRICES[product.code]).label).toBe(SAMPLE_PRICE_LABEL);
    }
  });
});

describe('R1.3 price versions', () => {
  it('parses a unit price as exact money', () => {
    const version = createPriceVersion('basic-cec', { unitPrice: '50.00', currency: 'USD', effectiveFrom: '2026-01-01' });
    expect(version.unitPrice.toString()).toBe('50.00');
    expect(version.effectiveFrom).toBe('2026-01-01');
  });

  it.each([
    [{ unitPrice: 50 }, /unitPrice/],
    [{ unitPrice: '50.001' }, /unitPrice/],
    [{ unitPrice: '-1.00' }, /unitPrice must not be negative/],
    [{ currency: 'EUR' }, /currency/],
    [{ effectiveFrom: '2026-02-30' }, /effectiveFrom/],
    [{ effectiveFrom: '2026-01-01T00:00:00Z' }, /effectiveFrom/],
  ])('R8.1 refuses %p naming the field', (patch, expected) => {
    expect(codeOf(() => createPriceVersion('basic-cec', { unitPrice: '50.00', currency: 'USD', effectiveFrom: '2026-01-01', ...patch }))).toMatch(expected);
  });

  const versions = [
    { effectiveFrom: '2026-03-15', p: 'c' },
    { effectiveFrom: '2026-01-01', p: 'a' },
    { effectiveFrom: '2026-02-01', p: 'b' },
  ];

  it('the version in force is the latest effectiveFrom not after the day', () => {
    expect(priceInForce(versions, '2025-12-31')).toBeUndefined();
    expect(priceInForce(versions, '2026-01-01')?.p).toBe('a');
    expect(priceInForce(versions, '2026-02-28')?.p).toBe('b');
    expect(priceInForce(versions, '2026-03-14')?.p).toBe('b');
    expect(priceInForce(versions, '2026-03-15')?.p).toBe('c');
  });

  it('the versions for a range are the one in force at its start and those starting inside it', () => {
    expect(versionsForRange(versions, '2026-03-01', '2026-03-31').map((v) => v.p)).toEqual(['b', 'c']);
    expect(versionsForRange(versions, '2026-02-01', '2026-02-28').map((v) => v.p)).toEqual(['b']);
    expect(versionsForRange(versions, '2025-12-01', '2025-12-31').map((v) => v.p)).toEqual([]);
    expect(versionsForRange(versions, '2025-12-15', '2026-01-10').map((v) => v.p)).toEqual(['a']);
  });
});
