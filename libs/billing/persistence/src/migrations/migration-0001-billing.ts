import { Migration } from '@mikro-orm/migrations';
import { OUTBOX_TABLE_SQL } from '@cec/platform';
import { Migration0002RunFailures } from './migration-0002-run-failures';
import { Migration0003WideQuantityDays } from './migration-0003-wide-quantity-days';
import { Migration0004CatchUpDeadLetters } from './migration-0004-catch-up-dead-letters';
import { Migration0005OutboxReliability } from './migration-0005-outbox-reliability';
import { Migration0006BillInputProgress } from './migration-0006-bill-input-progress';
import { Migration0007PrepaidGuard } from './migration-0007-prepaid-guard';
import { Migration0008OutboxCorrelation } from './migration-0008-outbox-correlation';
import { Migration0009OpsClaimsIndexes } from './migration-0009-ops-claims-indexes';
import { Migration0010RunProgressDiscountIndex } from './migration-0010-run-progress-discount-index';
import { Migration0011LeanWriteIndexes } from './migration-0011-lean-write-indexes';
import { Migration0012BillTally } from './migration-0012-bill-tally';

/**
 * The billing schema. What must never happen twice is a key here (CONTRIBUTING): one bill and one
 * processed marker per (account, period), one top-up per (account, reference), one running run per
 * period, no two overlapping discounts of one scope, and a balance that is never negative.
 */
export class Migration0001Billing extends Migration {
  override async up(): Promise<void> {
    // btree_gist gives gist operator classes for `=` on text, for the discount EXCLUDE constraint.
    // Installed in `public` so that no app's `drop schema ... cascade` takes it away from another.
    this.addSql('create extension if not exists btree_gist schema public;');
    this.addSql(`
      create table "account" (
        "id" varchar(128) primary key,
        "name" varchar(200) not null,
        "currency" varchar(3) not null,
        "balance" numeric(20,2) not null default 0,
        "outstanding" numeric(20,2) not null default 0,
        "bill_seq" integer not null default 0,
        "usage_revision" bigint null,
        "created_at" timestamptz not null,
        "source_event_id" varchar(128) null,
        constraint "account_balance_not_negative" check ("balance" >= 0),
        constraint "account_outstanding_not_negative" check ("outstanding" >= 0)
      );`);
    this.addSql(`
      create table "discount" (
        "id" varchar(64) primary key,
        "account_id" varchar(128) not null references "account" ("id"),
        "product_code" varchar(63) null,
        "rate" numeric(5,4) not null,
        "effective_from" date not null,
        "effective_to" date null,
        "created_at" timestamptz not null,
        constraint "discount_rate_range" check ("rate" >= 0 and "rate" < 1),
        constraint "discount_range_not_empty" check ("effective_to" is null or "effective_to" > "effective_from"),
        constraint "discount_no_overlap" exclude using gist (
          "account_id" with =,
          (coalesce("product_code", '')) with =,
          (daterange("effective_from", "effective_to", '[)')) with &&
        )
      );`);
    this.addSql(`
      create table "billing_run" (
        "id" varchar(64) primary key,
        "period" char(7) not null,
        "attempt" integer not null,
        "trigger" varchar(16) not null check ("trigger" in ('schedule', 'operator')),
        "status" varchar(16) not null check ("status" in ('running', 'completed', 'failed')),
        "accounts_total" integer not null default 0,
        "jobs_total" integer not null default 0,
        "jobs_done" integer not null default 0,
        "jobs_failed" integer not null default 0,
        "error" text null,
        "started_at" timestamptz not null,
        "finished_at" timestamptz null,
        constraint "billing_run_period_attempt_key" unique ("period", "attempt")
      );
      create unique index "billing_run_one_running_per_period" on "billing_run" ("period") where "status" = 'running';
      create index "billing_run_period_idx" on "billing_run" ("period", "started_at");`);
    this.addSql(`
      create table "billing_run_job" (
        "run_id" varchar(64) not null references "billing_run" ("id"),
        "batch" integer not null,
        "account_ids" text[] not null,
        "status" varchar(16) not null default 'queued' check ("status" in ('queued', 'done', 'failed')),
        "published_at" timestamptz null,
        "finished_at" timestamptz null,
        "error" text null,
        primary key ("run_id", "batch")
      );`);
    this.addSql(`
      create table "bill" (
        "id" varchar(64) primary key,
        "account_id" varchar(128) not null references "account" ("id"),
        "period" char(7) not null,
        "run_id" varchar(64) null references "billing_run" ("id"),
        "currency" varchar(3) not null,
        "total" numeric(20,2) not null,
        "paid_amount" numeric(20,2) not null,
        "outstanding_amount" numeric(20,2) not null,
        "status" varchar(16) not null check ("status" in ('paid', 'partially_paid', 'unpaid')),
        "issued_at" timestamptz not null,
        "seq" bigserial not null,
        constraint "bill_account_period_key" unique ("account_id", "period"),
        constraint "bill_paid_not_negative" check ("paid_amount" >= 0),
        constraint "bill_outstanding_not_negative" check ("outstanding_amount" >= 0)
      );
      create index "bill_outstanding_idx" on "bill" ("account_id", "issued_at", "seq") where "outstanding_amount" > 0;
      create index "bill_period_idx" on "bill" ("period");`);
    this.addSql(`
      create table "bill_line" (
        "bill_id" varchar(64) not null references "bill" ("id"),
        "position" integer not null,
        "account_id" varchar(128) not null,
        "kind" varchar(16) not null check ("kind" in ('usage', 'adjustment')),
        "subscription_id" varchar(128) not null,
        "product_code" varchar(63) not null,
        "for_period" char(7) not null,
        "quantity_days" integer not null,
        "days_in_period" integer not null,
        "list_amount" numeric(20,2) not null,
        "discount_amount" numeric(20,2) not null,
        "amount" numeric(20,2) not null,
        primary key ("bill_id", "position")
      );
      create index "bill_line_account_period_idx" on "bill_line" ("account_id", "for_period");`);
    this.addSql(`
      create table "account_period" (
        "account_id" varchar(128) not null references "account" ("id"),
        "period" char(7) not null,
        "run_id" varchar(64) not null references "billing_run" ("id"),
        "usage_revision" bigint not null,
        "bill_id" varchar(64) null references "bill" ("id") deferrable initially deferred,
        "total" numeric(20,2) null,
        "processed_at" timestamptz not null,
        constraint "account_period_key" primary key ("account_id", "period")
      );
      create index "account_period_run_idx" on "account_period" ("run_id");
      create index "account_period_period_idx" on "account_period" ("period");`);
    this.addSql(`
      create table "top_up" (
        "id" varchar(64) primary key,
        "account_id" varchar(128) not null references "account" ("id"),
        "reference" varchar(128) not null,
        "amount" numeric(20,2) not null check ("amount" > 0),
        "answer" jsonb not null,
        "created_at" timestamptz not null,
        constraint "top_up_account_reference_key" unique ("account_id", "reference")
      );`);
    this.addSql(`
      create table "ledger_entry" (
        "seq" bigserial primary key,
        "id" varchar(64) not null unique,
        "account_id" varchar(128) not null references "account" ("id"),
        "type" varchar(16) not null check ("type" in ('top_up', 'deduction', 'settlement', 'adjustment')),
        "amount" numeric(20,2) not null,
        "balance_after" numeric(20,2) not null check ("balance_after" >= 0),
        "bill_id" varchar(64) null references "bill" ("id") deferrable initially deferred,
        "reference" varchar(128) null,
        "created_at" timestamptz not null,
        constraint "ledger_entry_sign" check (
          ("type" in ('top_up', 'adjustment') and "amount" > 0) or ("type" in ('deduction', 'settlement') and "amount" < 0)
        )
      );
      create index "ledger_entry_account_idx" on "ledger_entry" ("account_id", "seq");`);
    this.addSql(OUTBOX_TABLE_SQL);
  }

  override async down(): Promise<void> {
    for (const table of ['outbox', 'ledger_entry', 'top_up', 'account_period', 'bill_line', 'bill', 'billing_run_job', 'billing_run', 'discount', 'account']) {
      this.addSql(`drop table if exists "${table}" cascade;`);
    }
  }
}

export const BILLING_MIGRATIONS = [
  { name: 'Migration0001Billing', class: Migration0001Billing },
  { name: 'Migration0002RunFailures', class: Migration0002RunFailures },
  { name: 'Migration0003WideQuantityDays', class: Migration0003WideQuantityDays },
  { name: 'Migration0004CatchUpDeadLetters', class: Migration0004CatchUpDeadLetters },
  { name: 'Migration0005OutboxReliability', class: Migration0005OutboxReliability },
  { name: 'Migration0006BillInputProgress', class: Migration0006BillInputProgress },
  { name: 'Migration0007PrepaidGuard', class: Migration0007PrepaidGuard },
  { name: 'Migration0008OutboxCorrelation', class: Migration0008OutboxCorrelation },
  { name: 'Migration0009OpsClaimsIndexes', class: Migration0009OpsClaimsIndexes },
  { name: 'Migration0010RunProgressDiscountIndex', class: Migration0010RunProgressDiscountIndex },
  { name: 'Migration0011LeanWriteIndexes', class: Migration0011LeanWriteIndexes },
  { name: 'Migration0012BillTally', class: Migration0012BillTally },
];
