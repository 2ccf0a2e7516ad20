import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The transactional outbox: an event is written in the same transaction as the state change it
 * describes, then relayed to JetStream (message id = event id, so a relay that crashes after
 * publishing and publishes again is dropped by the server's duplicate window, and consumers
 * dedupe on the id as well). Every app that publishes has this table in its own schema.
 */
@Entity({ tableName: 'outbox' })
@Index({ properties: ['publishedAt', 'seq'] })
export class OutboxEntity {
  [OptionalProps]?: 'seq';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  seq!: string;

  @Property({ type: 'string', length: 64, unique: true })
  eventId!: string;

  @Property({ type: 'string', length: 128 })
  subject!: string;

  @Property({ type: 'json' })
  payload!: Record<string, unknown>;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  publishedAt!: Date | null;

  /** Correlation id of the request or message that wrote the row (sent as `X-Correlation-Id`). */
  @Property({ type: 'string', length: 128, nullable: true })
  correlationId?: string | null;
}

/** DDL of the outbox table, for each app's migration. */
export const OUTBOX_TABLE_SQL = `
  create table "outbox" (
    "seq" bigserial primary key,
    "event_id" varchar(64) not null unique,
    "subject" varchar(128) not null,
    "payload" jsonb not null,
    "created_at" timestamptz not null,
    "published_at" timestamptz null
  );
  create index "outbox_unpublished_idx" on "outbox" ("seq") where "published_at" is null;`;

/** Third step of every app's outbox (a migration of its own): the row's correlation id. */
export const OUTBOX_CORRELATION_SQL = `alter table "outbox" add column "correlation_id" varchar(128) null;`;

/**
 * Second step of every app's outbox (a migration of its own, after OUTBOX_TABLE_SQL):
 * - per-row relay outcome: `attempts`, `next_attempt_at` (backoff), `last_error`, `failed_at`
 *   (parked: not retried, not pruned);
 * - a per-account sequence: a row whose payload has an `accountId` gets that account's next
 *   number, from a counter row locked by the inserting transaction (so numbers follow commit
 *   order per account and survive pruning), stored in `aggregate_id`/`aggregate_seq` (unique) and
 *   written into the payload as `accountSequence` (the function keeps the migration's search_path,
 *   so an insert from any connection finds the app's counter table);
 * - indexes for the relay's due rows and for pruning published rows.
 */
export const OUTBOX_RELIABILITY_SQL = `
  alter table "outbox"
    add column "attempts" int not null default 0,
    add column "next_attempt_at" timestamptz null,
    add column "last_error" text null,
    add column "failed_at" timestamptz null,
    add column "aggregate_id" varchar(128) null,
    add column "aggregate_seq" bigint null;
  create unique index "outbox_aggregate_seq_uq" on "outbox" ("aggregate_id", "aggregate_seq");
  create index "outbox_due_idx" on "outbox" ("seq") where "published_at" is null and "failed_at" is null;
  create index "outbox_published_at_idx" on "outbox" ("published_at") where "published_at" is not null;
  create table "outbox_aggregate_sequence" (
    "aggregate_id" varchar(128) primary key,
    "last_seq" bigint not null
  );
  create function "outbox_assign_aggregate_seq"() returns trigger language plpgsql
    set search_path from current as $fn$
  begin
    if new."aggregate_id" is null then
      new."aggregate_id" := new."payload"->>'accountId';
    end if;
    if new."aggregate_id" is not null and new."aggregate_seq" is null then
      insert into "outbox_aggregate_sequence" as s ("aggregate_id", "last_seq") values (new."aggregate_id", 1)
        on conflict ("aggregate_id") do update set "last_seq" = s."last_seq" + 1
        returning s."last_seq" into new."aggregate_seq";
      new."payload" := new."payload" || jsonb_build_object('accountSequence', new."aggregate_seq");
    end if;
    return new;
  end
  $fn$;
  create trigger "outbox_assign_aggregate_seq" before insert on "outbox"
    for each row execute function "outbox_assign_aggregate_seq"();`;

/**
 * The undo of {@link OUTBOX_RELIABILITY_SQL}, statement by statement, for the `down()` of each app's
 * migration that applied it (one copy of the SQL for billing, subscription and metering).
 */
export const OUTBOX_RELIABILITY_DOWN_SQL: readonly string[] = [
  'drop trigger if exists "outbox_assign_aggregate_seq" on "outbox";',
  'drop function if exists "outbox_assign_aggregate_seq"();',
  'drop table if exists "outbox_aggregate_sequence";',
  'drop index if exists "outbox_published_at_idx";',
  'drop index if exists "outbox_due_idx";',
  'drop index if exists "outbox_aggregate_seq_uq";',
  'alter table "outbox" drop column "attempts", drop column "next_attempt_at", drop column "last_error", drop column "failed_at", drop column "aggregate_id", drop column "aggregate_seq";',
];

/**
 * #11: one index fewer on every outbox row. `outbox_unpublished_idx` (every unpublished row) and
 * `outbox_due_idx` (unpublished and not parked) held the same rows but for the few parked ones, and
 * every insert wrote both. The relay and the pending-row probes read `outbox_due_idx`; the parked
 * rows get a partial index of their own, which a healthy outbox leaves empty (an insert that does not
 * match a partial index's predicate writes nothing to it). The relay's backlog gauges read the two.
 */
export const OUTBOX_LEAN_INDEXES_SQL: readonly string[] = [
  'create index if not exists "outbox_parked_idx" on "outbox" ("seq") where "published_at" is null and "failed_at" is not null;',
  'drop index if exists "outbox_unpublished_idx";',
];

/** The undo of {@link OUTBOX_LEAN_INDEXES_SQL}. */
export const OUTBOX_LEAN_INDEXES_DOWN_SQL: readonly string[] = [
  'create index if not exists "outbox_unpublished_idx" on "outbox" ("seq") where "published_at" is null;',
  'drop index if exists "outbox_parked_idx";',
];

/**
 * The outbox's numbering trigger called only for a row that still needs its account or its
 * sequence number: a writer that numbers its rows set-based in the statement (metering's timeline
 * writes, billing's batches) inserts them with both assigned, and PostgreSQL no longer calls the
 * PL/pgSQL function for each of them. A row inserted without them is numbered as before.
 */
export const OUTBOX_TRIGGER_WHEN_SQL: readonly string[] = [
  'drop trigger if exists "outbox_assign_aggregate_seq" on "outbox";',
  `create trigger "outbox_assign_aggregate_seq" before insert on "outbox"
    for each row when (new."aggregate_id" is null or new."aggregate_seq" is null)
    execute function "outbox_assign_aggregate_seq"();`,
];

/** The undo of {@link OUTBOX_TRIGGER_WHEN_SQL}: the trigger called for every row. */
export const OUTBOX_TRIGGER_ALWAYS_SQL: readonly string[] = [
  'drop trigger if exists "outbox_assign_aggregate_seq" on "outbox";',
  `create trigger "outbox_assign_aggregate_seq" before insert on "outbox"
    for each row execute function "outbox_assign_aggregate_seq"();`,
];
