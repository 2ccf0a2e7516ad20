import { DomainError } from '@cec/kernel';
import { CatalogDeps, StoredProduct } from './catalog.ports';

/** GET /v1/products/:code: 404 when unknown. */
export class GetProductUseCase {
  constructor(private readonly deps: CatalogDeps) {}

  async execute(code: string): Promise<StoredProduct> {
    const product = await this.deps.repository.findProduct(code);
    if (!product) throw DomainError.notFound('PRODUCT_NOT_FOUND', `product "${code}" does not exist`);
    return product;
  }
}
