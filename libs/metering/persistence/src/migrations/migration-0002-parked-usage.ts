import { Migration } from '@mikro-orm/migrations';

/**
 * #9.3 parked usage and replayable dead letters.
 *
 * A usage event for a subscription metering does not know yet is stored in `usage_event` like any
 * other, with `parked_source` set (where it came from). The timeline reads join `subscription`, so
 * a parked event counts from the moment its subscription is recorded; the transaction that records
 * the subscription clears `parked_source` and gives the event a new revision (R6.2). Keeping parked
 * events in the same table keeps one unique key on the event id for both (R6.1, #8.6). A parked
 * event whose subscription never appears is moved to the dead letters after a bound.
 *
 * Dead letters (each with its own bigserial id) record whether, when and how they were replayed.
 */
export class Migration0002ParkedUsage extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "usage_event" add column "parked_source" varchar(8) null check ("parked_source" in ('rest', 'nats'));`);
    this.addSql('create index "usage_event_parked_subscription_idx" on "usage_event" ("subscription_id") where "parked_source" is not null;');
    this.addSql('create index "usage_event_parked_received_idx" on "usage_event" ("received_at") where "parked_source" is not null;');
    this.addSql('alter table "dead_letter" add column "replayed_at" timestamptz null;');
    this.addSql(`alter table "dead_letter" add column "replay_outcome" varchar(16) null check ("replay_outcome" in ('accepted', 'duplicate', 'parked'));`);
  }

  override async down(): Promise<void> {
    this.addSql('alter table "dead_letter" drop column if exists "replay_outcome";');
    this.addSql('alter table "dead_letter" drop column if exists "replayed_at";');
    this.addSql('drop index if exists "usage_event_parked_received_idx";');
    this.addSql('drop index if exists "usage_event_parked_subscription_idx";');
    this.addSql('alter table "usage_event" drop column if exists "parked_source";');
  }
}
