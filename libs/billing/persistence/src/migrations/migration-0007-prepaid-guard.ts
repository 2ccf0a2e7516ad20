import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 10 (prepaid guard).
 * - `account_guard`: per account, the running month's accrued charge (`period`, `accrued_this_period`,
 *   the last day rated `rated_through`, `computed_at`), the operator's `low_balance` threshold and
 *   `guard_state` (ok / low / exhausted): a crossing moves the state in the transaction that writes
 *   its event to the outbox, and only from the state read, so each crossing is announced once.
 * - `guard_dirty`: accounts to re-rate, marked by `metering.usage.changed`, by a threshold change,
 *   and (trigger) by every change of an account's balance (top-ups, bills, settlements); `mark`
 *   counts the marks, so that a worker clears only what it read.
 */
export class Migration0007PrepaidGuard extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table "account_guard" (
        "account_id" varchar(128) primary key references "account" ("id"),
        "period" char(7) null,
        "accrued_this_period" numeric(20,2) not null default 0,
        "rated_through" date null,
        "computed_at" timestamptz null,
        "low_balance" numeric(20,2) null check ("low_balance" >= 0),
        "guard_state" varchar(16) not null default 'ok' check ("guard_state" in ('ok', 'low', 'exhausted'))
      );
      create index "account_guard_rated_through_idx" on "account_guard" ("rated_through");`);
    this.addSql(`
      create table "guard_dirty" (
        "account_id" varchar(128) primary key,
        "mark" bigint not null default 1
      );`);
    this.addSql(`
      create function "guard_mark_balance_change"() returns trigger language plpgsql
        set search_path from current as $fn$
      begin
        insert into "guard_dirty" as d ("account_id", "mark") values (new."id", 1)
          on conflict ("account_id") do update set "mark" = d."mark" + 1;
        return new;
      end
      $fn$;
      create trigger "account_guard_balance_change" after update of "balance" on "account"
        for each row when (old."balance" is distinct from new."balance") execute function "guard_mark_balance_change"();`);
  }

  override async down(): Promise<void> {
    this.addSql('drop trigger if exists "account_guard_balance_change" on "account";');
    this.addSql('drop function if exists "guard_mark_balance_change"();');
    this.addSql('drop table if exists "guard_dirty";');
    this.addSql('drop table if exists "account_guard";');
  }
}
