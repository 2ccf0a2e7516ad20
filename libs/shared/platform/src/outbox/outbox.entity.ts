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
