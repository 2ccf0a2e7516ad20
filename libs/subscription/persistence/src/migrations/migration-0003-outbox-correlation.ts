import { Migration } from '@mikro-orm/migrations';
import { OUTBOX_CORRELATION_SQL } from '@cec/platform';

/**
 * Issue 10 (observability): an outbox row keeps the correlation id of the request or message that
 * wrote it; the relay sends it in the `X-Correlation-Id` NATS header.
 */
export class Migration0003OutboxCorrelation extends Migration {
  override async up(): Promise<void> {
    this.addSql(OUTBOX_CORRELATION_SQL);
  }

  override async down(): Promise<void> {
    this.addSql('alter table "outbox" drop column "correlation_id";');
  }
}
