import { Entity, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { OutboxEntity } from '@cec/platform';

/** An enterprise account (R3.1). */
@Entity({ tableName: 'account' })
export class AccountEntity {
  @PrimaryKey({ type: 'string', length: 128 })
  id!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: 'string', length: 3 })
  currency!: string;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  createdAt!: Date;
}

/**
 * The current state of a subscription (the state after its last change) and its pending R3.3
 * billing-mode change. `version` is the sequence of its last change: every write checks it.
 */
@Entity({ tableName: 'subscription' })
@Index({ properties: ['accountId'] })
export class SubscriptionEntity {
  @PrimaryKey({ type: 'string', length: 128 })
  id!: string;

  @Property({ type: 'string', length: 128 })
  accountId!: string;

  @Property({ type: 'string', length: 16 })
  unit!: string;

  @Property({ type: 'string', length: 128 })
  productCode!: string;

  @Property({ type: 'integer' })
  quantity!: number;

  @Property({ type: 'string', length: 32 })
  billingMode!: string;

  @Property({ type: 'string', length: 16 })
  status!: string;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  enabledAt!: Date;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;

  @Property({ type: 'integer' })
  version!: number;

  @Property({ type: 'string', length: 32, nullable: true })
  pendingBillingMode!: string | null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  pendingRequestedAt!: Date | null;

  @Property({ type: 'Date', columnType: 'timestamptz', nullable: true })
  pendingEffectiveAt!: Date | null;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  updatedAt!: Date;
}

/** One entry of a subscription's append-only history: the full state from `effectiveAt` on. */
@Entity({ tableName: 'subscription_change' })
@Unique({ properties: ['subscriptionId', 'sequence'], name: 'subscription_change_sequence_key' })
export class SubscriptionChangeEntity {
  @PrimaryKey({ type: 'string', length: 64 })
  id!: string;

  @Property({ type: 'string', length: 128 })
  subscriptionId!: string;

  @Property({ type: 'integer' })
  sequence!: number;

  @Property({ type: 'string', length: 32 })
  kind!: string;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  effectiveAt!: Date;

  @Property({ type: 'string', length: 128 })
  productCode!: string;

  @Property({ type: 'integer' })
  quantity!: number;

  @Property({ type: 'string', length: 32 })
  billingMode!: string;

  @Property({ type: 'string', length: 16 })
  status!: string;

  /** The id of the `subscription.changed` event that published this change. */
  @Property({ type: 'string', length: 64, unique: true })
  eventId!: string;

  @Property({ type: 'Date', columnType: 'timestamptz' })
  recordedAt!: Date;
}

export const SUBSCRIPTION_ENTITIES = [AccountEntity, SubscriptionEntity, SubscriptionChangeEntity, OutboxEntity];
