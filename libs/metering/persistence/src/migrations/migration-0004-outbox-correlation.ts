import { Migration } from '@mikro-orm/migrations';
import { OUTBOX_CORRELATION_SQL } from '@cec/platform';

/**
 * Issue 10 (observability): metering's outbox rows (`metering.usage.changed`) keep the correlation
 * id of the usage event or request that wrote them, like subscription's and billing's; the relay
 * sends it in the `X-Correlation-Id` NATS header.
 */
export class Migration0004OutboxCorrelation extends Migration {
  override async up(): Promise<void> {
    this.addSql(OUTBOX_CORRELATION_SQL);
  }

  override async down(): Promise<void> {
    this.addSql('alter table "outbox" drop column "correlation_id";');
  }
}
