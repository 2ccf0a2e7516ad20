import { Migration } from '@mikro-orm/migrations';

/**
 * #9.4 and #9.8: accounts awaiting the scheduler's catch-up, and dead letters of billing's own
 * consumers. Every account is marked on insert (and every account known before this migration once,
 * so that the first ticks look for months it was never processed for); the scheduler clears the
 * mark once it has planned every ended month with usage the account needs, and only if nobody
 * marked it again meanwhile (`catch_up_mark` counts the marks).
 */
export class Migration0004CatchUpDeadLetters extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table "account" add column "catch_up" boolean not null default true;
      alter table "account" add column "catch_up_mark" integer not null default 0;
      create index "account_catch_up_idx" on "account" ("id") where "catch_up";`);
    this.addSql(`
      create table "dead_letter" (
        "id" bigserial primary key,
        "subject" varchar(128) not null,
        "message_key" varchar(255) not null,
        "message_id" varchar(255) null,
        "code" varchar(64) not null,
        "message" text not null,
        "payload" jsonb not null,
        "received_at" timestamptz not null,
        constraint "dead_letter_message_key_key" unique ("message_key")
      );`);
  }

  override async down(): Promise<void> {
    this.addSql('drop table if exists "dead_letter";');
    this.addSql('drop index if exists "account_catch_up_idx";');
    this.addSql('alter table "account" drop column if exists "catch_up_mark";');
    this.addSql('alter table "account" drop column if exists "catch_up";');
  }
}
