import { randomBytes } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { CONSUMERS, STREAMS, SUBJECTS, SubscriptionChangedEvent, SubscriptionChangeKind } from '@cec/contracts';
import { ensureStream } from '@cec/platform';
import { publishJson, resetStream, sql } from '@cec/testing';

/** A prefix unique to this run, so that nothing left in a shared stream can match our ids. */
export const RUN = randomBytes(4).toString('hex');

export function ids(name: string): string {
  return `${name}-${RUN}`;
}

/**
 * Starts metering's streams from nothing: USAGE is metering's own (reset); BILLING_EVENTS is
 * shared with the other apps, so only its `subscription.changed` messages and metering's durable
 * consumer are removed.
 */
export async function resetMeteringStreams(nc: NatsConnection): Promise<void> {
  await resetStream(nc, STREAMS.usage);
  const jsm = await nc.jetstreamManager();
  await ensureStream(jsm, STREAMS.billingEvents);
  await jsm.consumers.delete(STREAMS.billingEvents.name, CONSUMERS.meteringSubscriptionChanges).catch(() => undefined);
  await jsm.streams.purge(STREAMS.billingEvents.name, { filter: SUBJECTS.subscriptionChanged });
}

/** Polls `probe` until it returns something other than undefined/false, for at most `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface ChangeInput {
  subscriptionId: string;
  accountId: string;
  sequence: number;
  effectiveAt: string;
  quantity: number;
  productCode?: string;
  status?: 'active' | 'cancelled';
  kind?: SubscriptionChangeKind;
  enabledAt?: string;
}

let eventCounter = 0;

/** A `subscription.changed` event as the subscription app publishes it. */
export function subscriptionChanged(input: ChangeInput): SubscriptionChangedEvent {
  eventCounter += 1;
  const status = input.status ?? 'active';
  return {
    id: `evt_${RUN}_${eventCounter}`,
    occurredAt: input.effectiveAt,
    subscriptionId: input.subscriptionId,
    accountId: input.accountId,
    kind: input.kind ?? (input.sequence === 1 ? 'enabled' : status === 'cancelled' ? 'cancelled' : 'changed'),
    effectiveAt: input.effectiveAt,
    sequence: input.sequence,
    productCode: input.productCode ?? 'basic-cec',
    quantity: input.quantity,
    billingMode: 'pay_per_use',
    status,
    enabledAt: input.enabledAt ?? input.effectiveAt,
    cancelledAt: status === 'cancelled' ? input.effectiveAt : null,
  };
}

export async function statePointCount(subscriptionId: string): Promise<number> {
  const [row] = await sql<{ n: string }>('select count(*)::text as n from metering.subscription_state_point where subscription_id = $1', [subscriptionId]);
  return Number(row.n);
}

/** Publishes the changes (in the order given) and waits until metering has stored them all. */
export async function publishChanges(nc: NatsConnection, changes: readonly ChangeInput[]): Promise<void> {
  for (const change of changes) {
    const event = subscriptionChanged(change);
    await publishJson(nc, SUBJECTS.subscriptionChanged, event, event.id);
  }
  const expected = new Map<string, number>();
  for (const change of changes) expected.set(change.subscriptionId, Math.max(expected.get(change.subscriptionId) ?? 0, change.sequence));
  for (const [subscriptionId, sequence] of expected) {
    await eventually(async () => {
      const [row] = await sql<{ n: string }>('select count(*)::text as n from metering.subscription_state_point where subscription_id = $1 and sequence = $2', [subscriptionId, sequence]);
      return row.n === '1';
    }, `state point ${subscriptionId}#${sequence}`);
  }
}

export async function usageEventCount(subscriptionId?: string): Promise<number> {
  const [row] = subscriptionId
    ? await sql<{ n: string }>('select count(*)::text as n from metering.usage_event where subscription_id = $1', [subscriptionId])
    : await sql<{ n: string }>('select count(*)::text as n from metering.usage_event');
  return Number(row.n);
}

export async function deadLetterCount(): Promise<number> {
  const [row] = await sql<{ n: string }>('select count(*)::text as n from metering.dead_letter');
  return Number(row.n);
}
