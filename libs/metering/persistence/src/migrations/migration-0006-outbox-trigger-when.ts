import { Migration } from '@mikro-orm/migrations';

/**
 * #11 (ingestion speed): the outbox's `outbox_assign_aggregate_seq` trigger is called only for a
 * row that still needs its account or its sequence number. Metering's timeline writes insert their
 * `metering.usage.changed` rows with both already assigned (set-based, in the statement), and the
 * trigger function leaves such a row as it is; with a `when` condition PostgreSQL no longer calls
 * the PL/pgSQL function for each of them (4-5 % of a batch's statement, measured). A row inserted
 * without `aggregate_id` or `aggregate_seq` is numbered exactly as before.
 */
export class Migration0006OutboxTriggerWhen extends Migration {
  override async up(): Promise<void> {
    this.addSql('drop trigger if exists "outbox_assign_aggregate_seq" on "outbox";');
    this.addSql(`create trigger "outbox_assign_aggregate_seq" before insert on "outbox"
      for each row when (new."aggregate_id" is null or new."aggregate_seq" is null)
      execute function "outbox_assign_aggregate_seq"();`);
  }

  override async down(): Promise<void> {
    this.addSql('drop trigger if exists "outbox_assign_aggregate_seq" on "outbox";');
    this.addSql(`create trigger "outbox_assign_aggregate_seq" before insert on "outbox"
      for each row execute function "outbox_assign_aggregate_seq"();`);
  }
}
