import { Migration } from '@mikro-orm/migrations';
import { OUTBOX_RELIABILITY_DOWN_SQL, OUTBOX_RELIABILITY_SQL } from '@cec/platform';

/**
 * Issue 9, finding 7: the outbox relay records each row's outcome (attempts, backoff, last error,
 * parked rows) and every account's events carry a per-account sequence (`accountSequence`).
 */
export class Migration0002OutboxReliability extends Migration {
  override async up(): Promise<void> {
    this.addSql(OUTBOX_RELIABILITY_SQL);
  }

  override async down(): Promise<void> {
    for (const statement of OUTBOX_RELIABILITY_DOWN_SQL) this.addSql(statement);
  }
}
