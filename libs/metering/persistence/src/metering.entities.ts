import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { OutboxEntity } from '@cec/platform';

// The tables of migration 0001. Bulk writes and the timeline reads are hand-written SQL in the
// repository; these entities serve the simple reads and document the columns.

@Entity({ tableName: 'subscription' })
export class MeteringSubscriptionEntity {
  @PrimaryKey({ type: 'string', length: 128 })
  id!: string;

  @Property({ type: 'string', length: 128 })
  accountId!: string;

  /** Product of the newest known change. */
  @Property({ type: 'string', length: 63 })
  productCode!: string;

  @Property({ type: 'integer' })
  quantity!: number;

  @Property({ type: 'string', length: 16 })
  status!: string;

  /** Sequence of the newest change applied: an older change redelivered later never overwrites it. */
  @Property({ type: 'integer' })
  lastSequence!: number;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  lastEffectiveAt!: Date;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  updatedAt!: Date;
}

@Entity({ tableName: 'subscription_state_point' })
@Index({ properties: ['subscriptionId', 'effectiveAt', 'sequence'], name: 'subscription_state_point_time_idx' })
export class SubscriptionStatePointEntity {
  @PrimaryKey({ type: 'string', length: 128 })
  subscriptionId!: string;

  @PrimaryKey({ type: 'integer' })
  sequence!: number;

  @Property({ type: 'string', length: 128 })
  eventId!: string;

  @Property({ type: 'string', length: 32 })
  kind!: string;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  effectiveAt!: Date;

  @Property({ type: 'string', length: 63 })
  productCode!: string;

  @Property({ type: 'integer' })
  quantity!: number;

  @Property({ type: 'string', length: 16 })
  status!: string;

  @Property({ type: 'bigint' })
  revision!: string;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  receivedAt!: Date;
}

@Entity({ tableName: 'usage_event' })
@Index({ properties: ['subscriptionId', 'occurredAt', 'id'], name: 'usage_event_subscription_time_idx' })
export class UsageEventEntity {
  /** The event id (R6.1): unique by construction. */
  @PrimaryKey({ type: 'string', length: 128 })
  id!: string;

  @Property({ type: 'string', length: 128 })
  subscriptionId!: string;

  @Property({ type: 'integer' })
  quantity!: number;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  occurredAt!: Date;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  receivedAt!: Date;

  @Property({ type: 'bigint' })
  revision!: string;
}

/** Per subscription and period: the highest revision written there (R6.2). */
@Entity({ tableName: 'timeline_write' })
export class TimelineWriteEntity {
  @PrimaryKey({ type: 'string', length: 128 })
  subscriptionId!: string;

  @PrimaryKey({ type: 'string', length: 7 })
  period!: string;

  @Property({ type: 'bigint' })
  maxRevision!: string;
}

@Entity({ tableName: 'dead_letter' })
export class DeadLetterEntity {
  [OptionalProps]?: 'id';

  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'string', length: 32 })
  kind!: string;

  @Property({ type: 'string', length: 128, nullable: true })
  eventId!: string | null;

  @Property({ type: 'string', length: 8 })
  source!: string;

  @Property({ type: 'string', length: 64 })
  code!: string;

  @Property({ type: 'text' })
  message!: string;

  @Property({ type: 'json' })
  payload!: unknown;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  receivedAt!: Date;

  @Property({ type: 'string', length: 255, nullable: true, unique: true })
  natsKey!: string | null;
}

export const METERING_ENTITIES = [MeteringSubscriptionEntity, SubscriptionStatePointEntity, UsageEventEntity, TimelineWriteEntity, DeadLetterEntity, OutboxEntity];
