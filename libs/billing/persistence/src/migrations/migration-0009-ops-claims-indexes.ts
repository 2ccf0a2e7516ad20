import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 10 review fixes.
 * - `bill_run_idx`: the bills of a run (metrics scrape, run queries) without a scan of every bill.
 * - `guard_dirty` claims: a guard worker claims marked accounts (`claim`, until `claimed_until`)
 *   with `for update skip locked`, so replicas split the marks; `queued_at` orders them (oldest
 *   first; a mark renewed while claimed goes to the back), so that no mark waits forever.
 * - `account_guard.unbilled_period` / `accrued_unbilled`: the ended month's accrual while its bill
 *   is not yet deducted (it counts in the projected balance until then).
 * - `billing_run_job.stream_seq`: the BILLING_JOBS stream sequence of the job's message, so that a
 *   resumed run re-publishes only the queued jobs whose message is no longer on the stream.
 */
export class Migration0009OpsClaimsIndexes extends Migration {
  override async up(): Promise<void> {
    this.addSql('create index "bill_run_idx" on "bill" ("run_id");');
    this.addSql(`
      alter table "guard_dirty"
        add column "queued_at" timestamptz not null default now(),
        add column "claim" varchar(40) null,
        add column "claimed_until" timestamptz null;
      create index "guard_dirty_queue_idx" on "guard_dirty" ("queued_at", "account_id");`);
    this.addSql(`
      alter table "account_guard"
        add column "unbilled_period" char(7) null,
        add column "accrued_unbilled" numeric(20,2) not null default 0;`);
    this.addSql('alter table "billing_run_job" add column "stream_seq" bigint null;');
  }

  override async down(): Promise<void> {
    this.addSql('alter table "billing_run_job" drop column "stream_seq";');
    this.addSql('alter table "account_guard" drop column "accrued_unbilled", drop column "unbilled_period";');
    this.addSql('drop index if exists "guard_dirty_queue_idx";');
    this.addSql('alter table "guard_dirty" drop column "claimed_until", drop column "claim", drop column "queued_at";');
    this.addSql('drop index if exists "bill_run_idx";');
  }
}
