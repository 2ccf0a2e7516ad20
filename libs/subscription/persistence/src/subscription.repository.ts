import { EntityManager, IsolationLevel, UniqueConstraintViolationException } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { DomainError, newId } from '@cec/kernel';
import { BillingMode, ProductUnit, SUBJECTS, SubscriptionChangedEvent, SubscriptionChangeKind, SubscriptionStatus } from '@cec/contracts';
import { enqueueOutbox } from '@cec/platform';
import type { SubscriptionRepository } from '@cec/subscription-application';
import { Subscription, SubscriptionChange, SubscriptionSnapshot } from '@cec/subscription-domain';
import { SubscriptionChangeEntity, SubscriptionEntity } from './subscription.entities';

/** Reads of several tables that must see one committed state. */
const SNAPSHOT_READ = { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true } as const;

function utc(date: Date): DateTime {
  return DateTime.fromJSDate(date, { zone: 'utc' });
}

function toChange(row: SubscriptionChangeEntity): SubscriptionChange {
  return {
    sequence: row.sequence,
    kind: row.kind as SubscriptionChangeKind,
    effectiveAt: utc(row.effectiveAt),
    productCode: row.productCode,
    quantity: row.quantity,
    billingMode: row.billingMode as BillingMode,
    status: row.status as SubscriptionStatus,
  };
}

function toSubscription(row: SubscriptionEntity, changes: readonly SubscriptionChangeEntity[]): Subscription {
  return Subscription.restore({
    id: row.id,
    accountId: row.accountId,
    unit: row.unit as ProductUnit,
    productCode: row.productCode,
    quantity: row.quantity,
    billingMode: row.billingMode as BillingMode,
    status: row.status as SubscriptionStatus,
    enabledAt: utc(row.enabledAt),
    cancelledAt: row.cancelledAt ? utc(row.cancelledAt) : null,
    version: row.version,
    changes: changes.map(toChange),
    pendingBillingModeChange:
      row.pendingBillingMode && row.pendingEffectiveAt
        ? {
            billingMode: row.pendingBillingMode as BillingMode,
            requestedAt: utc(row.pendingRequestedAt ?? row.pendingEffectiveAt),
            effectiveAt: utc(row.pendingEffectiveAt),
          }
        : null,
  });
}

/** The columns of the subscription row that repeat its current state. */
function stateColumns(snapshot: SubscriptionSnapshot) {
  const pending = snapshot.pendingBillingModeChange;
  return {
    productCode: snapshot.productCode,
    quantity: snapshot.quantity,
    billingMode: snapshot.billingMode,
    status: snapshot.status,
    enabledAt: snapshot.enabledAt.toJSDate(),
    cancelledAt: snapshot.cancelledAt ? snapshot.cancelledAt.toJSDate() : null,
    version: snapshot.version,
    pendingBillingMode: pending ? pending.billingMode : null,
    pendingRequestedAt: pending ? pending.requestedAt.toJSDate() : null,
    pendingEffectiveAt: pending ? pending.effectiveAt.toJSDate() : null,
  };
}

function constraintOf(error: unknown): string | undefined {
  return error instanceof UniqueConstraintViolationException ? (error as { constraint?: string }).constraint : undefined;
}

/**
 * MikroORM implementation of the subscription port. Each write is one transaction on a forked
 * EntityManager: the subscription row (guarded by its version), the new change rows (unique per
 * subscription and sequence) and one outbox row per `subscription.changed` event.
 */
export class MikroOrmSubscriptionRepository implements SubscriptionRepository {
  constructor(
    private readonly em: EntityManager,
    /** Called after a commit that enqueued events (pokes the outbox relay). */
    private readonly afterCommit: () => void = () => undefined,
  ) {}

  async find(id: string): Promise<Subscription | null> {
    // the row and its history from one snapshot: a write committing between two reads would
    // otherwise pair a row of one version with the history of another
    return this.em.fork().transactional(
      async (tx) => {
        const row = await tx.findOne(SubscriptionEntity, { id });
        if (!row) return null;
        const changes = await tx.find(SubscriptionChangeEntity, { subscriptionId: id }, { orderBy: { sequence: 'asc' } });
        return toSubscription(row, changes);
      },
      SNAPSHOT_READ,
    );
  }

  async listByAccount(accountId: string): Promise<Subscription[]> {
    return this.em.fork().transactional(async (tx) => {
      const rows = await tx.find(SubscriptionEntity, { accountId }, { orderBy: { enabledAt: 'asc', id: 'asc' } });
      if (rows.length === 0) return [];
      const changes = await tx.find(SubscriptionChangeEntity, { subscriptionId: { $in: rows.map((row) => row.id) } }, { orderBy: { sequence: 'asc' } });
      return rows.map((row) => toSubscription(row, changes.filter((change) => change.subscriptionId === row.id)));
    }, SNAPSHOT_READ);
  }

  async insert(subscription: Subscription, events: readonly SubscriptionChangedEvent[], at: DateTime): Promise<void> {
    const snapshot = subscription.snapshot();
    const now = at.toJSDate();
    try {
      await this.em.fork().transactional(async (tx) => {
        await tx.insert(SubscriptionEntity, {
          id: snapshot.id,
          accountId: snapshot.accountId,
          unit: snapshot.unit,
          ...stateColumns(snapshot),
          createdAt: now,
          updatedAt: now,
        });
        await this.appendChanges(tx, subscription, subscription.changesAfter(0), events, now);
      });
    } catch (error) {
      if (constraintOf(error) === 'subscription_pkey') {
        throw new DomainError('SUBSCRIPTION_EXISTS', `id: a subscription with id "${snapshot.id}" already exists`);
      }
      throw error;
    }
    this.afterCommit();
  }

  async save(subscription: Subscription, before: SubscriptionSnapshot, events: readonly SubscriptionChangedEvent[], at: DateTime): Promise<void> {
    const snapshot = subscription.snapshot();
    const now = at.toJSDate();
    const pendingBefore = before.pendingBillingModeChange;
    const conflict = () =>
      new DomainError('CONCURRENT_MODIFICATION', `subscription "${snapshot.id}" was changed by another request at the same time; read it again and retry`);
    try {
      await this.em.fork().transactional(async (tx) => {
        // optimistic lock: only the state this write was computed from may be replaced
        const updated = await tx.nativeUpdate(
          SubscriptionEntity,
          {
            id: snapshot.id,
            version: before.version,
            pendingBillingMode: pendingBefore ? pendingBefore.billingMode : null,
            pendingEffectiveAt: pendingBefore ? pendingBefore.effectiveAt.toJSDate() : null,
          },
          { ...stateColumns(snapshot), updatedAt: now },
        );
        if (updated !== 1) throw conflict();
        await this.appendChanges(tx, subscription, subscription.changesAfter(before.version), events, now);
      });
    } catch (error) {
      if (constraintOf(error) === 'subscription_change_sequence_key') throw conflict();
      throw error;
    }
    this.afterCommit();
  }

  /** Change rows and their outbox rows, in the caller's transaction; one event per change. */
  private async appendChanges(
    tx: EntityManager,
    subscription: Subscription,
    changes: readonly SubscriptionChange[],
    events: readonly SubscriptionChangedEvent[],
    now: Date,
  ): Promise<void> {
    if (changes.length === 0 && events.length === 0) return;
    const bySequence = new Map(events.map((event) => [event.sequence, event]));
    if (bySequence.size !== changes.length || changes.some((change) => bySequence.get(change.sequence)?.subscriptionId !== subscription.id)) {
      throw new Error(`subscription ${subscription.id}: every new change needs exactly one subscription.changed event`);
    }
    await tx.insertMany(
      SubscriptionChangeEntity,
      changes.map((change) => ({
        id: newId('chg'),
        subscriptionId: subscription.id,
        sequence: change.sequence,
        kind: change.kind,
        effectiveAt: change.effectiveAt.toJSDate(),
        productCode: change.productCode,
        quantity: change.quantity,
        billingMode: change.billingMode,
        status: change.status,
        eventId: (bySequence.get(change.sequence) as SubscriptionChangedEvent).id,
        recordedAt: now,
      })),
    );
    enqueueOutbox(
      tx,
      changes.map((change) => {
        const event = bySequence.get(change.sequence) as SubscriptionChangedEvent;
        return { eventId: event.id, subject: SUBJECTS.subscriptionChanged, payload: event };
      }),
      now,
    );
  }

}
