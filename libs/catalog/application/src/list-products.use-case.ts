import { CatalogDeps, StoredProduct } from './catalog.ports';

export class ListProductsUseCase {
  constructor(private readonly deps: CatalogDeps) {}

  execute(): Promise<StoredProduct[]> {
    return this.deps.repository.listProducts();
  }
}
