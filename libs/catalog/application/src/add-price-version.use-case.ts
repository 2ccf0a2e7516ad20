import { DomainError } from '@cec/kernel';
import { createPriceVersion, NewPriceInput } from '@cec/catalog-domain';
import { CatalogDeps, StoredPriceVersion } from './catalog.ports';

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
