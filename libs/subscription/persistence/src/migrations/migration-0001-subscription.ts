import { Migration } from '@mikro-orm/migrations';
import { OUTBOX_TABLE_SQL } from '@cec/platform';
import { Migration0002OutboxReliability } from './migration-0002-outbox-reliability';
import { Migration0003OutboxCorrelation } from './migration-0003-outbox-correlation';
import { Migration0004OutboxLeanIndexes } from './migration-0004-outbox-lean-indexes';

export class Migration0001Subscription extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "account" (
        "id" varchar(128) primary key,
        "name" varchar(200) not null check (length(trim("name")) > 0),
        "currency" varchar(3) not null,
        "created_at" timestamptz not null
      );`);
    this.addSql(`
      create table "subscription" (
        "id" varchar(128) primary key,
        "account_id" varchar(128) not null references "account" ("id"),
        "unit" varchar(16) not null check ("unit" in ('agent', 'channel')),
        "product_code" varchar(128) not null,
        "quantity" integer not null check ("quantity" >= 0),
        "billing_mode" varchar(32) not null,
        "status" varchar(16) not null check ("status" in ('active', 'cancelled')),
        "enabled_at" timestamptz not null,
        "cancelled_at" timestamptz null,
        "version" integer not null check ("version" >= 1),
        "pending_billing_mode" varchar(32) null,
        "pending_requested_at" timestamptz null,
        "pending_effective_at" timestamptz null,
        "created_at" timestamptz not null,
        "updated_at" timestamptz not null,
        check (("status" = 'cancelled') = ("cancelled_at" is not null)),
        check (("pending_billing_mode" is null) = ("pending_effective_at" is null))
      );`);
    this.addSql('create index "subscription_account_id_index" on "subscription" ("account_id");');
    this.addSql(`
      create table "subscription_change" (
        "id" varchar(64) primary key,
        "subscription_id" varchar(128) not null references "subscription" ("id"),
        "sequence" integer not null check ("sequence" >= 1),
        "kind" varchar(32) not null check ("kind" in ('enabled', 'quantity_changed', 'edition_changed', 'changed', 'cancelled')),
        "effective_at" timestamptz not null,
        "product_code" varchar(128) not null,
        "quantity" integer not null check ("quantity" >= 0),
        "billing_mode" varchar(32) not null,
        "status" varchar(16) not null check ("status" in ('active', 'cancelled')),
        "event_id" varchar(64) not null unique,
        "recorded_at" timestamptz not null,
        constraint "subscription_change_sequence_key" unique ("subscription_id", "sequence")
      );`);
    this.addSql(OUTBOX_TABLE_SQL);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "outbox";');
    this.addSql('drop table if exists "subscription_change";');
    this.addSql('drop table if exists "subscription";');
    this.addSql('drop table if exists "account";');
  }
}

export const SUBSCRIPTION_MIGRATIONS = [
  { name: 'Migration0001Subscription', class: Migration0001Subscription },
  { name: 'Migration0002OutboxReliability', class: Migration0002OutboxReliability },
  { name: 'Migration0003OutboxCorrelation', class: Migration0003OutboxCorrelation },
  { name: 'Migration0004OutboxLeanIndexes', class: Migration0004OutboxLeanIndexes },
];
