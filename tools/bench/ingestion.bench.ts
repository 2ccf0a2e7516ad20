/**
 * Ingestion benchmark: N usage events over S subscriptions published to JetStream; events per
 * second until all are committed and queryable, and the latency from publish to committed.
 *
 * - platform: `usage.reported` → the metering app (pull consumer, validation, bulk insert,
 *   dead letters, revisions) → metering.usage_event.
 * - baseline: the practical limit of this machine: the same events published to a bare stream,
 *   pulled in batches of 1000 and COPYed into a bare table (no keys, no validation).
 *
 * Latency samples are every 100th event. The platform's are seen from outside, polled by id every
 * 50 ms (up to ~50 ms of polling granularity); the baseline's are stamped by its own consumer the
 * moment its COPY returns (polling a table without keys would distort the baseline instead).
 */
import { AckPolicy, connect, headers, NatsConnection, nanos, RetentionPolicy, StorageType } from 'nats';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { SUBJECTS, SubscriptionChangedEvent } from '@cec/contracts';
import { usageEvents, BenchUsageEvent } from './bench-data';

export interface IngestionResult {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const encoder = new TextEncoder();
const SAMPLE_EVERY = 100;
const BASELINE_STREAM = 'BENCH_BASELINE';
const BASELINE_SUBJECT = 'bench.baseline.usage-reported';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * The load generator: plain NATS publishes onto the stream's subject, with the Nats-Msg-Id header,
 * flushed every 5,000 messages. (Waiting for a JetStream ack per message costs the generator more
 * CPU than the system under test spends on the event, on a machine with two cores.)
 */
async function publishAll(nc: NatsConnection, subject: string, events: Iterable<BenchUsageEvent>, sent: Map<string, number>): Promise<number> {
  let count = 0;
  for (const event of events) {
    const h = headers();
    h.set('Nats-Msg-Id', event.id);
    if (count % SAMPLE_EVERY === 0) sent.set(event.id, performance.now());
    nc.publish(subject, encoder.encode(JSON.stringify(event)), { headers: h });
    count += 1;
    if (count % 5000 === 0) await nc.flush();
  }
  await nc.flush();
  return count;
}

/** Polls sampled ids until every one is visible; returns per-sample latency and the last commit time. */
export async function watchSamples(db: Client, table: string, sent: Map<string, number>, publishing: Promise<number>, timeoutMs: number): Promise<{ latencies: number[]; lastSeen: number }> {
  const pending = new Set<string>();
  const seen = new Set<string>();
  const latencies: number[] = [];
  let lastSeen = 0;
  let done = false;
  void publishing.then(() => (done = true));
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    // each sample once: an id already seen is never polled (nor timed) again
    for (const id of sent.keys()) if (!pending.has(id) && !seen.has(id)) pending.add(id);
    if (pending.size > 0) {
      const ids = [...pending];
      const rows = await db.query<{ id: string }>(`select id from ${table} where id = any($1::text[])`, [ids]);
      const now = performance.now();
      for (const row of rows.rows) {
        if (pending.delete(row.id)) {
          seen.add(row.id);
          latencies.push(now - (sent.get(row.id) as number));
          lastSeen = now;
        }
      }
    }
    if (done && pending.size === 0 && latencies.length === sent.size) break;
    if (performance.now() > deadline) throw new Error(`not all events were committed within ${timeoutMs / 1000} s (${latencies.length}/${sent.size} samples seen)`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { latencies: latencies.sort((a, b) => a - b), lastSeen };
}

async function waitCount(db: Client, sql: string, expected: number, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const count = Number((await db.query<{ count: string }>(sql)).rows[0].count);
    if (count >= expected) return performance.now();
    if (performance.now() > deadline) throw new Error(`only ${count}/${expected} rows after ${timeoutMs / 1000} s: ${sql}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Metering must know the subscriptions first: announce them the way the subscription app does. */
export async function announceSubscriptions(nc: NatsConnection, db: Client, subscriptions: number): Promise<void> {
  const js = nc.jetstream();
  let inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < subscriptions; i += 1) {
    const event: SubscriptionChangedEvent = {
      id: `bench-sub-evt-${i}`,
      occurredAt: '2026-09-01T00:00:00+08:00',
      subscriptionId: `bench-sub-${i}`,
      accountId: `bench-acc-${Math.floor(i / 2)}`,
      kind: 'enabled',
      effectiveAt: '2026-09-01T00:00:00+08:00',
      sequence: 1,
      productCode: 'basic-cec',
      quantity: 1,
      billingMode: 'pay_per_use',
      status: 'active',
      enabledAt: '2026-09-01T00:00:00+08:00',
      cancelledAt: null,
    };
    inFlight.push(js.publish(SUBJECTS.subscriptionChanged, encoder.encode(JSON.stringify(event)), { msgID: event.id }));
    if (inFlight.length >= 2000) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  }
  await Promise.all(inFlight);
  await waitCount(db, "select count(*) from metering.subscription where id like 'bench-sub-%'", subscriptions, 300_000);
}

export async function benchPlatformIngestion(natsUrl: string, databaseUrl: string, count: number, subscriptions: number, seed: number): Promise<IngestionResult> {
  const nc = await connect({ servers: natsUrl });
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await announceSubscriptions(nc, db, subscriptions);
    const sent = new Map<string, number>();
    const start = performance.now();
    const publishing = publishAll(nc, SUBJECTS.usageReported, usageEvents(count, subscriptions, seed), sent);
    const { latencies, lastSeen } = await watchSamples(db, 'metering.usage_event', sent, publishing, 1_800_000);
    const end = Math.max(lastSeen, await waitCount(db, `select count(*) from metering.usage_event where id like 'bench-${seed}-%'`, count, 600_000));
    const seconds = (end - start) / 1000;
    return { events: count, seconds, eventsPerSecond: count / seconds, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
  } finally {
    await db.end();
    await nc.close();
  }
}

export async function benchBaselineIngestion(natsUrl: string, databaseUrl: string, count: number, subscriptions: number, seed: number): Promise<IngestionResult> {
  const nc = await connect({ servers: natsUrl });
  const db = new Client({ connectionString: databaseUrl });
  const writer = new Client({ connectionString: databaseUrl });
  await db.connect();
  await writer.connect();
  const jsm = await nc.jetstreamManager();
  await jsm.streams.delete(BASELINE_STREAM).catch(() => undefined);
  await jsm.streams.add({ name: BASELINE_STREAM, subjects: [BASELINE_SUBJECT], retention: RetentionPolicy.Limits, storage: StorageType.File, duplicate_window: nanos(120_000) });
  await jsm.consumers.add(BASELINE_STREAM, { durable_name: 'baseline', ack_policy: AckPolicy.Explicit, max_ack_pending: 10_000 });
  await db.query('create schema if not exists bench_baseline; drop table if exists bench_baseline.usage_event; create table bench_baseline.usage_event (id text, subscription_id text, quantity integer, occurred_at timestamptz)');
  const consumer = await nc.jetstream().consumers.get(BASELINE_STREAM, 'baseline');
  let stop = false;
  let copied = 0;
  const sent = new Map<string, number>();
  const latencies: number[] = [];
  let lastCommit = 0;
  const consuming = (async () => {
    while (!stop && copied < count) {
      const batch = await consumer.fetch({ max_messages: 1000, expires: 1000 });
      const messages = [];
      for await (const message of batch) messages.push(message);
      if (messages.length === 0) continue;
      const lines = messages.map((message) => {
        const event = message.json<BenchUsageEvent>();
        return `${event.id}\t${event.subscriptionId}\t${event.quantity}\t${event.timestamp}\n`;
      });
      await pipeline(Readable.from(lines), writer.query(copyFrom('copy bench_baseline.usage_event from stdin')));
      const committedAt = performance.now();
      lastCommit = committedAt;
      for (const line of lines) {
        const id = line.slice(0, line.indexOf('\t'));
        const sentAt = sent.get(id);
        if (sentAt !== undefined) latencies.push(committedAt - sentAt);
      }
      for (const message of messages) message.ack();
      copied += messages.length;
    }
  })();
  try {
    const start = performance.now();
    await publishAll(nc, BASELINE_SUBJECT, usageEvents(count, subscriptions, seed), sent);
    await consuming;
    const seconds = (lastCommit - start) / 1000;
    const sorted = latencies.sort((a, b) => a - b);
    return { events: count, seconds, eventsPerSecond: count / seconds, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
  } finally {
    stop = true;
    await consuming.catch(() => undefined);
    await jsm.streams.delete(BASELINE_STREAM).catch(() => undefined);
    await db.query('drop schema if exists bench_baseline cascade');
    await db.end();
    await writer.end();
    await nc.close();
  }
}
