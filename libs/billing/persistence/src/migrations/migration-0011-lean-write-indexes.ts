import { Migration } from '@mikro-orm/migrations';
import { OUTBOX_LEAN_INDEXES_DOWN_SQL, OUTBOX_LEAN_INDEXES_SQL, OUTBOX_TRIGGER_ALWAYS_SQL, OUTBOX_TRIGGER_WHEN_SQL } from '@cec/platform';

/**
 * Issue 11, from the per-table profile of a 30,000-account run (tools/bench/profiles): every index
 * on a table a batch writes is written once per row. These had no reader left:
 * - `account_period_run_idx` (markers by run): the run's progress is `run_progress` since 0010;
 * - `account_period_period_idx` (markers by period): every reader asks for (account, period), the
 *   unique key;
 * - `bill_run_idx` (bills by run): the metrics scrape and the run view it served read
 *   `run_progress` since 0010;
 * - the outbox's `outbox_unpublished_idx`, in favour of a partial index of parked rows
 *   ({@link OUTBOX_LEAN_INDEXES_SQL}).
 * And the outbox's numbering trigger is called only for a row that still needs its number
 * ({@link OUTBOX_TRIGGER_WHEN_SQL}, as metering's 0006): a batch's flush numbers its events in the
 * statement.
 */
export class Migration0011LeanWriteIndexes extends Migration {
  override async up(): Promise<void> {
    this.addSql('drop index if exists "account_period_run_idx";');
    this.addSql('drop index if exists "account_period_period_idx";');
    this.addSql('drop index if exists "bill_run_idx";');
    for (const sql of OUTBOX_LEAN_INDEXES_SQL) this.addSql(sql);
    for (const sql of OUTBOX_TRIGGER_WHEN_SQL) this.addSql(sql);
  }

  override async down(): Promise<void> {
    for (const sql of OUTBOX_TRIGGER_ALWAYS_SQL) this.addSql(sql);
    for (const sql of OUTBOX_LEAN_INDEXES_DOWN_SQL) this.addSql(sql);
    this.addSql('create index if not exists "bill_run_idx" on "bill" ("run_id");');
    this.addSql('create index if not exists "account_period_period_idx" on "account_period" ("period");');
    this.addSql('create index if not exists "account_period_run_idx" on "account_period" ("run_id");');
  }
}
