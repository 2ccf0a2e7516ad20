import { Migration } from '@mikro-orm/migrations';
import { OUTBOX_RELIABILITY_DOWN_SQL, OUTBOX_RELIABILITY_SQL, OUTBOX_TABLE_SQL } from '@cec/platform';

/**
 * Issue 10 (prepaid guard): metering gets the platform's transactional outbox, so that every
 * timeline write publishes `metering.usage.changed` from the transaction that made it (nothing
 * accepted is lost; the relay publishes with the event id as message id).
 */
export class Migration0003UsageChangedOutbox extends Migration {
  override async up(): Promise<void> {
    this.addSql(OUTBOX_TABLE_SQL);
    this.addSql(OUTBOX_RELIABILITY_SQL);
  }

  override async down(): Promise<void> {
    for (const statement of OUTBOX_RELIABILITY_DOWN_SQL) this.addSql(statement);
    this.addSql('drop table if exists "outbox";');
  }
}
