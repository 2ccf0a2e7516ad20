import { createProduct, NewProductInput } from '@cec/catalog-domain';
import { CatalogDeps, StoredProduct } from './catalog.ports';

/** POST /v1/products (R1.1): 409 when the code exists. */
export class CreateProductUseCase {
  constructor(private readonly deps: CatalogDeps) {}

  async execute(input: NewProductInput): Promise<StoredProduct> {
    const product = createProduct(input);
    return this.deps.repository.insertProduct(product, this.deps.clock.now());
  }
}
