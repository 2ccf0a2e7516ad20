import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Dec } from '@cec/kernel';
import { DecimalType } from '@cec/platform';

@Entity({ tableName: 'product' })
export class ProductEntity {
  @PrimaryKey({ type: 'string', length: 63 })
  code!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: 'string', length: 16 })
  unit!: string;

  @Property({ type: 'json' })
  features!: string[];

  @Property({ type: 'json' })
  billingModes!: string[];

  @Property({ type: 'Date', columnType: 'timestamptz' })
  createdAt!: Date;
}

@Entity({ tableName: 'price_version' })
@Unique({ properties: ['productCode', 'effectiveFrom'], name: 'price_version_product_date_key' })
@Index({ properties: ['productCode', 'effectiveFrom'] })
export class PriceVersionEntity {
  @PrimaryKey({ type: 'string', length: 64 })
  id!: string;

  @Property({ type: 'string', length: 63 })
  productCode!: string;

  @Property({ type: new DecimalType(20, 2) })
  unitPrice!: Dec;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  /** A calendar date in the billing zone, kept as `date`. */
  @Property({ type: 'string', columnType: 'date' })
  effectiveFrom!: string;

  @Property({ type: 'string', length: 200, nullable: true })
  label!: string | null;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  createdAt!: Date;
}

export const CATALOG_ENTITIES = [ProductEntity, PriceVersionEntity];
