import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 10: each bill keeps the exact inputs it was rated from (`bill_input`, one row per bill,
 * written in the bill's transaction) for its explanation and the audit; each processed marker
 * records when (database time, not the business clock) it was written, so that a run's rate and
 * estimated completion can be computed from the database whichever replica did the work.
 */
export class Migration0006BillInputProgress extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "bill_input" (
        "bill_id" varchar(64) primary key references "bill" ("id"),
        "input" jsonb not null
      );`);
    this.addSql(`alter table "account_period" add column "recorded_at" timestamptz not null default now();`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table "account_period" drop column "recorded_at";');
    this.addSql('drop table if exists "bill_input";');
  }
}
