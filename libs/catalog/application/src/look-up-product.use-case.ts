import type { GetProductReply } from '@cec/contracts';
import { CatalogDeps } from './catalog.ports';

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
