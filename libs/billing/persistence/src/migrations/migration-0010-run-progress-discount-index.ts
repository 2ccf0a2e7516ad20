import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 11, from the statement profile of a 100,000-account run.
 * - `run_progress`: one row per transaction that writes processed markers of a run (a batch's flush,
 *   or an account issued alone), with the markers it wrote, the bills among them and their total, in
 *   that transaction. A run's progress (`GET /v1/billing-runs/:id`, the run list, the console) sums
 *   these rows, one per batch, instead of aggregating the run's markers, one per account: that read
 *   took 32 ms per call at 100,000 accounts and grew with the run. Append-only: concurrent batches
 *   never update a shared row. Backfilled from the markers already written, by (run, transaction time).
 * - `discount_account_idx`: the discounts of a batch's accounts (`account_id = any(...)`) by b-tree;
 *   the exclusion constraint's GiST index did not serve that predicate (9 ms per batch).
 */
export class Migration0010RunProgressDiscountIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "run_progress" (
        "id" bigserial primary key,
        "run_id" varchar(64) not null references "billing_run" ("id"),
        "processed" integer not null check ("processed" > 0),
        "billed" integer not null check ("billed" >= 0 and "billed" <= "processed"),
        "total" numeric(20,2) not null,
        "recorded_at" timestamptz not null default now()
      );
      create index "run_progress_run_idx" on "run_progress" ("run_id", "recorded_at");`);
    this.addSql(`
      insert into "run_progress" ("run_id", "processed", "billed", "total", "recorded_at")
      select "run_id", count(*), count("bill_id"), coalesce(sum("total"), 0), "recorded_at"
        from "account_period" group by "run_id", "recorded_at";`);
    this.addSql('create index "discount_account_idx" on "discount" ("account_id");');
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists "discount_account_idx";');
    this.addSql('drop table if exists "run_progress";');
  }
}
