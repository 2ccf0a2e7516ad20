import type { CalendarDate, Clock } from '@cec/kernel';
import type { PriceVersion, Product } from '@cec/catalog-domain';
import type { DateTime } from 'luxon';

export interface StoredPriceVersion extends PriceVersion {
  readonly id: string;
  readonly createdAt: DateTime;
}

export interface StoredProduct extends Product {
  readonly createdAt: DateTime;
  readonly prices: readonly StoredPriceVersion[];
}

/** Port: the catalog's storage. Implementations enforce uniqueness in the database. */
export interface CatalogRepository {
  /** Inserts a product; throws DomainError PRODUCT_CODE_EXISTS when the code is taken. */
  insertProduct(product: Product, createdAt: DateTime): Promise<StoredProduct>;
  findProduct(code: string): Promise<StoredProduct | null>;
  listProducts(): Promise<StoredProduct[]>;
  countProducts(): Promise<number>;
  /** Appends a price version; throws DomainError PRICE_VERSION_EXISTS for a taken date. */
  insertPriceVersion(version: PriceVersion, createdAt: DateTime): Promise<StoredPriceVersion>;
  /** All versions of the given products whose effectiveFrom is not after `to`. */
  priceVersionsUpTo(productCodes: readonly string[], to: CalendarDate): Promise<StoredPriceVersion[]>;
}

export const CATALOG_REPOSITORY = Symbol.for('cec.CatalogRepository');

export interface CatalogDeps {
  repository: CatalogRepository;
  clock: Clock;
}
