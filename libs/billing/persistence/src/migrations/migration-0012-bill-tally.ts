import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 11, the metrics scrape: `cec_billing_bills_issued{currency}` and
 * `cec_billing_amount_billed{currency}` counted and summed every bill of the database on each
 * scrape (`group by currency` over `bill`), a read that grows with every month billed: at a million
 * accounts a month, a year of bills is twelve million rows read every 15 seconds, by every replica.
 * `bill_tally` keeps those totals as the bills are written: one row per (transaction, currency)
 * that issues bills, with how many and their total, in the bills' own transaction (a batch's flush
 * writes one row per currency of its bills, an account issued alone one row). Append-only, as
 * `run_progress`: concurrent batches never update a shared row. The scrape sums these rows, one per
 * batch rather than one per bill. Backfilled from the bills already written, by (run, currency).
 * Bill totals never change once issued (payments change paid and outstanding amounts only), so the
 * tally stays exact.
 */
export class Migration0012BillTally extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "bill_tally" (
        "id" bigserial primary key,
        "run_id" varchar(64) null references "billing_run" ("id"),
        "currency" varchar(3) not null,
        "bills" integer not null check ("bills" > 0),
        "total" numeric(20,2) not null,
        "recorded_at" timestamptz not null default now()
      );`);
    this.addSql(`
      insert into "bill_tally" ("run_id", "currency", "bills", "total")
      select "run_id", "currency", count(*), sum("total") from "bill" group by "run_id", "currency";`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "bill_tally";');
  }
}
