import { DomainError } from '@cec/kernel';
import { GetProductReply, GetProductRequest, PATTERNS, ProductSummary } from '@cec/contracts';
import { RpcClient } from '@cec/platform';
import type { CatalogGateway } from '@cec/subscription-application';
import type { SubscriptionProduct } from '@cec/subscription-domain';

function isProductSummary(value: unknown): value is ProductSummary {
  if (typeof value !== 'object' || value === null) return false;
  const product = value as Record<string, unknown>;
  return (
    typeof product['code'] === 'string' &&
    (product['unit'] === 'agent' || product['unit'] === 'channel') &&
    Array.isArray(product['billingModes']) &&
    (product['billingModes'] as unknown[]).every((mode) => typeof mode === 'string')
  );
}

/**
 * The catalog port over NATS request/reply (`PATTERNS.catalogGetProduct`, queue group `catalog`).
 * No answer in NATS_REQUEST_TIMEOUT_MS, an error or a malformed answer: CATALOG_UNAVAILABLE (503).
 */
export class NatsCatalogGateway implements CatalogGateway {
  constructor(private readonly rpc: RpcClient) {}

  async findProduct(code: string): Promise<SubscriptionProduct | null> {
    let reply: GetProductReply;
    try {
      reply = await this.rpc.request<GetProductReply, GetProductRequest>(PATTERNS.catalogGetProduct, { code });
    } catch (error) {
      const reason = error instanceof Error ? error.message : typeof error === 'object' && error !== null ? JSON.stringify(error) : String(error);
      throw new DomainError('CATALOG_UNAVAILABLE', `productCode: the catalog could not be asked for product "${code}" (${reason}); try again later`);
    }
    const product: unknown = reply?.product;
    if (product === null) return null;
    if (!isProductSummary(product) || product.code !== code) {
      throw new DomainError('CATALOG_UNAVAILABLE', `productCode: the catalog answered for product "${code}" with something that is not a product; try again later`);
    }
    return { code: product.code, unit: product.unit, billingModes: [...product.billingModes] };
  }
}
