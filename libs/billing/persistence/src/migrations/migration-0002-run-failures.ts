import { Migration } from '@mikro-orm/migrations';

/**
 * Runs always end (issue 9): a run ends `completed`, `completed_with_failures` (the accounts it
 * could not bill are rows of `billing_run_failure`, one per run and account) or `cancelled`; a
 * cancelled run's queued jobs are `cancelled`. One running run per period stays the partial unique
 * index `billing_run_one_running_per_period`: a cancelled run does not hold it.
 */
export class Migration0002RunFailures extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table "billing_run" drop constraint "billing_run_status_check";
      alter table "billing_run" add constraint "billing_run_status_check"
        check ("status" in ('running', 'completed', 'completed_with_failures', 'cancelled', 'failed'));
      alter table "billing_run" alter column "status" type varchar(32);
      alter table "billing_run_job" drop constraint "billing_run_job_status_check";
      alter table "billing_run_job" add constraint "billing_run_job_status_check"
        check ("status" in ('queued', 'done', 'failed', 'cancelled'));`);
    this.addSql(`
      create table "billing_run_failure" (
        "run_id" varchar(64) not null references "billing_run" ("id"),
        "account_id" varchar(128) not null references "account" ("id"),
        "code" varchar(64) not null,
        "message" text not null,
        "attempts" integer not null,
        "failed_at" timestamptz not null,
        "cleared_at" timestamptz null,
        constraint "billing_run_failure_pkey" primary key ("run_id", "account_id")
      );
      create index "billing_run_failure_open_idx" on "billing_run_failure" ("run_id") where "cleared_at" is null;`);
  }
}
