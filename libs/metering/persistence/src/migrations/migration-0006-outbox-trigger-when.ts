import { Migration } from '@mikro-orm/migrations';
import { OUTBOX_TRIGGER_ALWAYS_SQL, OUTBOX_TRIGGER_WHEN_SQL } from '@cec/platform';

/**
 * #11 (ingestion speed): the outbox's `outbox_assign_aggregate_seq` trigger is called only for a
 * row that still needs its account or its sequence number ({@link OUTBOX_TRIGGER_WHEN_SQL}).
 * Metering's timeline writes insert their `metering.usage.changed` rows with both already assigned
 * (set-based, in the statement); calling the PL/pgSQL function for each of them was 4-5 % of a
 * batch's statement, measured.
 */
export class Migration0006OutboxTriggerWhen extends Migration {
  override async up(): Promise<void> {
    for (const sql of OUTBOX_TRIGGER_WHEN_SQL) this.addSql(sql);
  }

  override async down(): Promise<void> {
    for (const sql of OUTBOX_TRIGGER_ALWAYS_SQL) this.addSql(sql);
  }
}
