import { DomainError } from '@cec/kernel';
import { createPriceVersion, createProduct, SAMPLE_PRICES, SAMPLE_PRODUCTS } from '@cec/catalog-domain';
import { CatalogDeps } from './catalog.ports';

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
