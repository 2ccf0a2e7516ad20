import { Migration } from '@mikro-orm/migrations';

export class Migration0001Catalog extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "product" (
        "code" varchar(63) primary key,
        "name" varchar(200) not null,
        "unit" varchar(16) not null check ("unit" in ('agent', 'channel')),
        "features" jsonb not null,
        "billing_modes" jsonb not null,
        "created_at" timestamptz not null
      );`);
    this.addSql(`
      create table "price_version" (
        "id" varchar(64) primary key,
        "product_code" varchar(63) not null references "product" ("code"),
        "unit_price" numeric(20,2) not null check ("unit_price" >= 0),
        "currency" varchar(3) not null,
        "effective_from" date not null,
        "label" varchar(200) null,
        "created_at" timestamptz not null,
        constraint "price_version_product_date_key" unique ("product_code", "effective_from")
      );`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "price_version";');
    this.addSql('drop table if exists "product";');
  }
}

export const CATALOG_MIGRATIONS = [{ name: 'Migration0001Catalog', class: Migration0001Catalog }];
