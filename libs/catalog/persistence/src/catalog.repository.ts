import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { Currency, DomainError, Money, newId } from '@cec/kernel';
import type { PriceVersion, Product, SupportedBillingMode } from '@cec/catalog-domain';
import type { CatalogRepository, StoredPriceVersion, StoredProduct } from '@cec/catalog-application';
import type { ProductUnit } from '@cec/contracts';
import { PriceVersionEntity, ProductEntity } from './catalog.entities';

function toVersion(row: PriceVersionEntity): StoredPriceVersion {
  return {
    id: row.id,
    productCode: row.productCode,
    unitPrice: Money.ofCents(row.unitPrice, row.currency as Currency),
    currency: row.currency as Currency,
    effectiveFrom: row.effectiveFrom,
    label: row.label,
    createdAt: DateTime.fromJSDate(row.createdAt, { zone: 'utc' }),
  };
}

function toProduct(row: ProductEntity, prices: PriceVersionEntity[]): StoredProduct {
  return {
    code: row.code,
    name: row.name,
    unit: row.unit as ProductUnit,
    features: row.features,
    billingModes: row.billingModes as SupportedBillingMode[],
    createdAt: DateTime.fromJSDate(row.createdAt, { zone: 'utc' }),
    prices: prices.map(toVersion).sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1)),
  };
}

/** MikroORM implementation of the catalog port; uniqueness comes from the database's keys. */
export class MikroOrmCatalogRepository implements CatalogRepository {
  constructor(private readonly em: EntityManager) {}

  async insertProduct(product: Product, createdAt: DateTime): Promise<StoredProduct> {
    const em = this.em.fork();
    const row = em.create(ProductEntity, {
      code: product.code,
      name: product.name,
      unit: product.unit,
      features: [...product.features],
      billingModes: [...product.billingModes],
      createdAt: createdAt.toJSDate(),
    });
    try {
      await em.persistAndFlush(row);
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new DomainError('PRODUCT_CODE_EXISTS', `a product with code "${product.code}" already exists`);
      }
      throw error;
    }
    return toProduct(row, []);
  }

  async findProduct(code: string): Promise<StoredProduct | null> {
    const em = this.em.fork();
    const row = await em.findOne(ProductEntity, { code });
    if (!row) return null;
    const prices = await em.find(PriceVersionEntity, { productCode: code });
    return toProduct(row, prices);
  }

  async listProducts(): Promise<StoredProduct[]> {
    const em = this.em.fork();
    const rows = await em.find(ProductEntity, {}, { orderBy: { createdAt: 'asc', code: 'asc' } });
    const prices = await em.find(PriceVersionEntity, { productCode: { $in: rows.map((row) => row.code) } });
    return rows.map((row) => toProduct(row, prices.filter((price) => price.productCode === row.code)));
  }

  async countProducts(): Promise<number> {
    return this.em.fork().count(ProductEntity, {});
  }

  async insertPriceVersion(version: PriceVersion, createdAt: DateTime): Promise<StoredPriceVersion> {
    const em = this.em.fork();
    const row = em.create(PriceVersionEntity, {
      id: newId('price'),
      productCode: version.productCode,
      unitPrice: version.unitPrice.amount,
      currency: version.currency,
      effectiveFrom: version.effectiveFrom,
      label: version.label,
      createdAt: createdAt.toJSDate(),
    });
    try {
      await em.persistAndFlush(row);
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) {
        throw new DomainError('PRICE_VERSION_EXISTS', `product "${version.productCode}" already has a price version effective from ${version.effectiveFrom}`);
      }
      throw error;
    }
    return toVersion(row);
  }

  async priceVersionsUpTo(productCodes: readonly string[], to: string): Promise<StoredPriceVersion[]> {
    if (productCodes.length === 0) return [];
    const rows = await this.em.fork().find(PriceVersionEntity, { productCode: { $in: [...productCodes] }, effectiveFrom: { $lte: to } });
    return rows.map(toVersion);
  }
}
