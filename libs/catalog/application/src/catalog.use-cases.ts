import { billingCalendar, DomainError } from '@cec/kernel';
import { createPriceVersion, createProduct, NewPriceInput, NewProductInput, parseProductCode, SAMPLE_PRICES, SAMPLE_PRODUCTS, versionsForRange } from '@cec/catalog-domain';
import type { GetProductReply, ResolvePricesReply } from '@cec/contracts';
import { CatalogDeps, StoredPriceVersion, StoredProduct } from './catalog.ports';

/** POST /v1/products (R1.1): 409 when the code exists. */
export class CreateProductUseCase {
  constructor(private readonly deps: CatalogDeps) {}

  async execute(input: NewProductInput): Promise<StoredProduct> {
    const product = createProduct(input);
    return this.deps.repository.insertProduct(product, this.deps.clock.now());
  }
}

/** GET /v1/products/:code: 404 when unknown. */
export class GetProductUseCase {
  constructor(private readonly deps: CatalogDeps) {}

  async execute(code: string): Promise<StoredProduct> {
    const product = await this.deps.repository.findProduct(code);
    if (!product) throw DomainError.notFound('PRODUCT_NOT_FOUND', `product "${code}" does not exist`);
    return product;
  }
}

export class ListProductsUseCase {
  constructor(private readonly deps: CatalogDeps) {}

  execute(): Promise<StoredProduct[]> {
    return this.deps.repository.listProducts();
  }
}

/** POST /v1/products/:code/prices (R1.3): append-only; 409 when a version with that date exists. */
export class AddPriceVersionUseCase {
  constructor(private readonly deps: CatalogDeps) {}

  async execute(productCode: string, input: NewPriceInput): Promise<StoredPriceVersion> {
    const version = createPriceVersion(productCode, input);
    const product = await this.deps.repository.findProduct(productCode);
    if (!product) throw DomainError.notFound('PRODUCT_NOT_FOUND', `product "${productCode}" does not exist`);
    return this.deps.repository.insertPriceVersion(version, this.deps.clock.now());
  }
}

/** Request/reply for other apps: a product's summary, or null. */
export class LookUpProductUseCase {
  constructor(private readonly deps: CatalogDeps) {}

  async execute(code: unknown): Promise<GetProductReply> {
    if (typeof code !== 'string') return { product: null };
    const product = await this.deps.repository.findProduct(code);
    if (!product) return { product: null };
    return { product: { code: product.code, name: product.name, unit: product.unit, features: [...product.features], billingModes: [...product.billingModes] } };
  }
}

export const MAX_RESOLVE_PRODUCTS = 1000;

/**
 * Request/reply for billing: the price versions of a set of products over a date range, in one
 * call (R1.3). Per product, the version in force on `from` and every later one up to `to`.
 */
export class ResolvePricesUseCase {
  constructor(private readonly deps: CatalogDeps) {}

  async execute(request: { productCodes: unknown; from: unknown; to: unknown }): Promise<ResolvePricesReply> {
    if (!Array.isArray(request.productCodes) || request.productCodes.length > MAX_RESOLVE_PRODUCTS) {
      throw DomainError.validation(`productCodes must be an array of at most ${MAX_RESOLVE_PRODUCTS} product codes`);
    }
    const codes = [...new Set(request.productCodes.map((code: unknown) => parseProductCode(code, 'productCodes[]')))];
    const from = billingCalendar.parseDate(request.from, 'from');
    const to = billingCalendar.parseDate(request.to, 'to');
    if (to < from) throw DomainError.validation('to must not be before from');
    const versions = await this.deps.repository.priceVersionsUpTo(codes, to);
    const byProduct = new Map<string, StoredPriceVersion[]>();
    for (const version of versions) {
      const list = byProduct.get(version.productCode) ?? [];
      list.push(version);
      byProduct.set(version.productCode, list);
    }
    const prices: ResolvePricesReply['prices'] = {};
    for (const [code, list] of byProduct) {
      prices[code] = versionsForRange(list, from, to).map((version) => ({
        unitPrice: version.unitPrice.toString(),
        currency: version.currency,
        effectiveFrom: version.effectiveFrom,
      }));
    }
    return { prices };
  }
}

export interface SeedResult {
  seeded: boolean;
  products: string[];
}

/** Loads the sample catalog (R1.1, R1.2, R1.4) into an empty catalog; does nothing otherwise. */
export class SeedSampleCatalogUseCase {
  constructor(private readonly deps: CatalogDeps) {}

  async execute(): Promise<SeedResult> {
    if ((await this.deps.repository.countProducts()) > 0) {
      return { seeded: false, products: [] };
    }
    const now = this.deps.clock.now();
    const created: string[] = [];
    for (const input of SAMPLE_PRODUCTS) {
      try {
        await this.deps.repository.insertProduct(createProduct(input), now);
      } catch (error) {
        // a concurrent seeder got there first: fine, the catalog is seeded either way
        if (error instanceof DomainError && error.code === 'PRODUCT_CODE_EXISTS') continue;
        throw error;
      }
      await this.deps.repository.insertPriceVersion(createPriceVersion(input.code, SAMPLE_PRICES[input.code]), now);
      created.push(input.code);
    }
    return { seeded: true, products: created };
  }
}
