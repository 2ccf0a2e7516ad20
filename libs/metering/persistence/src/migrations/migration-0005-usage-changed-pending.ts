import { Migration } from '@mikro-orm/migrations';

/**
 * #11 (ingestion speed): the `metering.usage.changed` rows not published yet, by subscription and
 * month, so that a timeline write finds the pending row it can fold into (one event per
 * subscription and month while the relay has not sent it, instead of one per write).
 */
export class Migration0005UsageChangedPending extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "outbox_usage_changed_pending_idx" on "outbox" (("payload"->>'subscriptionId'), ("payload"->>'period'))
      where "subject" = 'metering.usage.changed' and "published_at" is null and "failed_at" is null;`);
  }

  override async down(): Promise<void> {
    this.addSql('drop index if exists "outbox_usage_changed_pending_idx";');
  }
}
