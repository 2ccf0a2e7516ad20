import { billingCalendar, DomainError } from '@cec/kernel';
import { parseProductCode, versionsForRange } from '@cec/catalog-domain';
import type { ResolvePricesReply } from '@cec/contracts';
import { CatalogDeps, StoredPriceVersion } from './catalog.ports';

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
