import { Migration } from '@mikro-orm/migrations';
import { Migration0002ParkedUsage } from './migration-0002-parked-usage';
import { Migration0004OutboxCorrelation } from './migration-0004-outbox-correlation';
import { Migration0003UsageChangedOutbox } from './migration-0003-usage-changed-outbox';
import { Migration0005UsageChangedPending } from './migration-0005-usage-changed-pending';
import { Migration0006OutboxTriggerWhen } from './migration-0006-outbox-trigger-when';
import { Migration0007OutboxLeanIndexes } from './migration-0007-outbox-lean-indexes';

/**
 * Metering's tables. Every timeline write (a state point, a usage event) takes a number from the
 * `timeline_revision` sequence; `timeline_write` keeps, per subscription and period, the highest
 * revision written there, which answers "what changed since revision N" (R6.2) without scanning
 * the events.
 */
export class Migration0001Metering extends Migration {
  override async up(): Promise<void> {
    this.addSql('create sequence "timeline_revision" as bigint start with 1;');
    this.addSql(`
      create table "subscription" (
        "id" varchar(128) primary key,
        "account_id" varchar(128) not null,
        "product_code" varchar(63) not null,
        "quantity" integer not null check ("quantity" >= 0),
        "status" varchar(16) not null check ("status" in ('active', 'cancelled')),
        "last_sequence" integer not null,
        "last_effective_at" timestamptz not null,
        "updated_at" timestamptz not null
      );`);
    this.addSql('create index "subscription_account_idx" on "subscription" ("account_id", "id");');
    this.addSql(`
      create table "subscription_state_point" (
        "subscription_id" varchar(128) not null references "subscription" ("id"),
        "sequence" integer not null check ("sequence" >= 1),
        "event_id" varchar(128) not null,
        "kind" varchar(32) not null,
        "effective_at" timestamptz not null,
        "product_code" varchar(63) not null,
        "quantity" integer not null check ("quantity" >= 0),
        "status" varchar(16) not null check ("status" in ('active', 'cancelled')),
        "revision" bigint not null,
        "received_at" timestamptz not null,
        constraint "subscription_state_point_pkey" primary key ("subscription_id", "sequence")
      );`);
    // the timeline reads: the last point before a period (one backward probe, ties included) and the points inside it
    this.addSql('create index "subscription_state_point_time_idx" on "subscription_state_point" ("subscription_id", "effective_at", "sequence");');
    // R6.1: the event id is the primary key, so the same id is stored once however often it comes.
    // No foreign key to "subscription": ingestion checks the subscription first, and a per-row
    // key check would cost the bulk insert; subscriptions are never deleted.
    this.addSql(`
      create table "usage_event" (
        "id" varchar(128) primary key,
        "subscription_id" varchar(128) not null,
        "quantity" integer not null check ("quantity" >= 0),
        "occurred_at" timestamptz not null,
        "received_at" timestamptz not null,
        "revision" bigint not null
      );`);
    // ties at one instant are ordered by id in code-point order (collation "C"), as the domain does
    this.addSql('create index "usage_event_subscription_time_idx" on "usage_event" ("subscription_id", "occurred_at", "id" collate "C");');
    this.addSql(`
      create table "timeline_write" (
        "subscription_id" varchar(128) not null,
        "period" char(7) not null,
        "max_revision" bigint not null,
        constraint "timeline_write_pkey" primary key ("subscription_id", "period")
      );`);
    this.addSql(`
      create table "dead_letter" (
        "id" bigserial primary key,
        "kind" varchar(32) not null check ("kind" in ('usage_event', 'subscription_change')),
        "event_id" varchar(128) null,
        "source" varchar(8) not null check ("source" in ('rest', 'nats')),
        "code" varchar(64) not null,
        "message" text not null,
        "payload" jsonb not null,
        "received_at" timestamptz not null,
        "nats_key" varchar(255) null,
        constraint "dead_letter_nats_key_key" unique ("nats_key")
      );`);
    this.addSql('create index "dead_letter_kind_id_idx" on "dead_letter" ("kind", "id" desc);');
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "dead_letter";');
    this.addSql('drop table if exists "timeline_write";');
    this.addSql('drop table if exists "usage_event";');
    this.addSql('drop table if exists "subscription_state_point";');
    this.addSql('drop table if exists "subscription";');
    this.addSql('drop sequence if exists "timeline_revision";');
  }
}

export const METERING_MIGRATIONS = [
  { name: 'Migration0001Metering', class: Migration0001Metering },
  { name: 'Migration0002ParkedUsage', class: Migration0002ParkedUsage },
  { name: 'Migration0003UsageChangedOutbox', class: Migration0003UsageChangedOutbox },
  { name: 'Migration0004OutboxCorrelation', class: Migration0004OutboxCorrelation },
  { name: 'Migration0005UsageChangedPending', class: Migration0005UsageChangedPending },
  { name: 'Migration0006OutboxTriggerWhen', class: Migration0006OutboxTriggerWhen },
  { name: 'Migration0007OutboxLeanIndexes', class: Migration0007OutboxLeanIndexes },
];
