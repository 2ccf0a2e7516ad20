import { Migration } from '@mikro-orm/migrations';
import { OUTBOX_RELIABILITY_SQL } from '@cec/platform';

/**
 * Issue 9, finding 7: the outbox relay records each row's outcome (attempts, backoff, last error,
 * parked rows) and every account's events carry a per-account sequence (`accountSequence`).
 */
export class Migration0005OutboxReliability extends Migration {
  override async up(): Promise<void> {
    this.addSql(OUTBOX_RELIABILITY_SQL);
  }

  override async down(): Promise<void> {
    this.addSql('drop trigger if exists "outbox_assign_aggregate_seq" on "outbox";');
    this.addSql('drop function if exists "outbox_assign_aggregate_seq"();');
    this.addSql('drop table if exists "outbox_aggregate_sequence";');
    this.addSql('drop index if exists "outbox_published_at_idx";');
    this.addSql('drop index if exists "outbox_due_idx";');
    this.addSql('drop index if exists "outbox_aggregate_seq_uq";');
    this.addSql(
      'alter table "outbox" drop column "attempts", drop column "next_attempt_at", drop column "last_error", drop column "failed_at", drop column "aggregate_id", drop column "aggregate_seq";',
    );
  }
}
