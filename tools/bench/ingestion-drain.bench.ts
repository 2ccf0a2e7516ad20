/**
 * Ingestion drain benchmarks (issue #11): the stream is filled first, with no consumer running,
 * and the clock starts when the consumer starts taking messages; it stops when the last event is
 * committed (acked after its commit, then counted in the table).
 *
 * - platform: the apps are stopped, N events are published to `usage.reported`, then metering
 *   alone is started again; start = the first poll (every 20 ms) of the durable consumer's info
 *   that shows a delivery, end = the poll that shows every message acked (metering acks only
 *   after the batch's transaction committed). The rows are then counted: exactly N new ids.
 * - baseline: the same events on a bare stream, then pulled in batches of 1000 and COPYed into a
 *   bare table (no keys, no validation), timed from its first fetch to its last commit.
 *
 * Peak RSS is the metering process's VmHWM (it was started for the drain, so boot plus drain).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { AckPolicy, connect, headers, JetStreamManager, NatsConnection, nanos, RetentionPolicy, StorageType } from 'nats';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CONSUMERS, SUBJECTS } from '@cec/contracts';
import { PrivateStackOptions, restartApps, stackPid, StackInfo, stopApps } from '../stack/private-stack';
import { cpuBetween, cpuSnapshot } from './cpu-accounting';
import { BenchUsageEvent, usageEvents } from './bench-data';

export interface DrainResult {
  events: number;
  /** Publishing the events into the stream (not timed in the drain figure). */
  publishSeconds: number;
  seconds: number;
  eventsPerSecond: number;
  /** Peak RSS of the consumer process, MiB (null for the baseline, which runs inside the bench). */
  peakRssMiB: number | null;
  /** CPU seconds by process group over the timed drain (the platform's only). */
  cpu?: Array<{ group: string; seconds: number }>;
}

const encoder = new TextEncoder();
const USAGE_STREAM = 'USAGE';
const BASELINE_STREAM = 'BENCH_DRAIN_BASELINE';
const BASELINE_SUBJECT = 'bench.drain-baseline.usage-reported';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Publishes every event (plain publishes with Nats-Msg-Id, flushed every 5,000), then waits until the stream holds them all. */
async function fill(nc: NatsConnection, jsm: JetStreamManager, stream: string, subject: string, events: Iterable<BenchUsageEvent>, count: number): Promise<number> {
  const before = (await jsm.streams.info(stream)).state.messages;
  const start = performance.now();
  let sent = 0;
  for (const event of events) {
    const h = headers();
    h.set('Nats-Msg-Id', event.id);
    nc.publish(subject, encoder.encode(JSON.stringify(event)), { headers: h });
    sent += 1;
    if (sent % 5000 === 0) await nc.flush();
  }
  await nc.flush();
  for (const deadline = performance.now() + 120_000; ; ) {
    const stored = (await jsm.streams.info(stream)).state.messages - before;
    if (stored >= count) break;
    if (performance.now() > deadline) throw new Error(`the stream ${stream} holds ${stored} of the ${count} events published`);
    await sleep(100);
  }
  return (performance.now() - start) / 1000;
}

/** The pid of the stack's metering process, or null. */
function meteringPid(): string | null {
  const launcher = stackPid();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== launcher) continue;
      // the compiled app (dist/apps/metering/main.js) as npm start runs it, or its source under run-ts
      if (/apps\/metering\/(?:src\/main\.ts|main\.js)/.test(readFileSync(`/proc/${entry}/cmdline`, 'utf8'))) return entry;
    } catch {
      // the process ended while we looked
    }
  }
  return null;
}

/** VmHWM of the stack's metering process, MiB. */
export function meteringPeakRssMiB(): number | null {
  const pid = meteringPid();
  try {
    const hwm = pid === null ? undefined : /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return hwm ? Number(hwm) / 1024 : null;
  } catch {
    return null; // the process ended while we looked
  }
}

const meteringProcesses = (): Array<{ app: string; pid: string }> => {
  const pid = meteringPid();
  return pid === null ? [] : [{ app: 'metering', pid }];
};

/**
 * The platform drain: stops the apps, fills `usage.reported` with `count` events, starts metering
 * alone (with `options.nodeArgs`, e.g. a CPU profile) and times it draining them.
 */
export async function benchPlatformDrain(options: PrivateStackOptions, info: StackInfo, count: number, subscriptions: number, seed: number): Promise<DrainResult> {
  const nc = await connect({ servers: info.natsUrl });
  const db = new Client({ connectionString: info.databaseUrl });
  await db.connect();
  try {
    const jsm = await nc.jetstreamManager();
    await stopApps();
    const publishSeconds = await fill(nc, jsm, USAGE_STREAM, SUBJECTS.usageReported, usageEvents(count, subscriptions, seed), count);
    const lastSeq = (await jsm.streams.info(USAGE_STREAM)).state.last_seq;
    const deliveredBefore = (await jsm.consumers.info(USAGE_STREAM, CONSUMERS.meteringUsage)).delivered.stream_seq;
    const booting = restartApps({ ...options, apps: ['metering'] }, info);
    let start = 0;
    let end = 0;
    let cpuStart = cpuSnapshot([]);
    let cpuEnd = cpuStart;
    const deadline = performance.now() + 1_800_000;
    while (end === 0) {
      if (performance.now() > deadline) throw new Error('metering did not drain the stream within 30 minutes');
      const consumer = await jsm.consumers.info(USAGE_STREAM, CONSUMERS.meteringUsage);
      const now = performance.now();
      if (start === 0 && consumer.delivered.stream_seq > deliveredBefore) {
        start = now;
        cpuStart = cpuSnapshot(meteringProcesses());
      }
      if (start !== 0 && consumer.ack_floor.stream_seq >= lastSeq && consumer.num_ack_pending === 0) {
        end = now;
        cpuEnd = cpuSnapshot(meteringProcesses());
      }
      await sleep(20);
    }
    await booting;
    const peakRssMiB = meteringPeakRssMiB();
    const stored = Number((await db.query<{ count: string }>(`select count(*) from metering.usage_event where id like 'bench-${seed}-%'`)).rows[0].count);
    if (stored !== count) throw new Error(`the drain stored ${stored} of ${count} events`);
    const seconds = (end - start) / 1000;
    return { events: count, publishSeconds, seconds, eventsPerSecond: count / seconds, peakRssMiB, cpu: cpuBetween(cpuStart, cpuEnd) };
  } finally {
    await db.end();
    await nc.close();
  }
}

/** The baseline drain: the same events on a bare stream, pulled 1000 at a time and COPYed into a bare table. */
export async function benchBaselineDrain(natsUrl: string, databaseUrl: string, count: number, subscriptions: number, seed: number): Promise<DrainResult> {
  const nc = await connect({ servers: natsUrl });
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const jsm = await nc.jetstreamManager();
  await jsm.streams.delete(BASELINE_STREAM).catch(() => undefined);
  await jsm.streams.add({ name: BASELINE_STREAM, subjects: [BASELINE_SUBJECT], retention: RetentionPolicy.Limits, storage: StorageType.File, duplicate_window: nanos(120_000) });
  await jsm.consumers.add(BASELINE_STREAM, { durable_name: 'baseline', ack_policy: AckPolicy.Explicit, max_ack_pending: 10_000 });
  await db.query(
    'create schema if not exists bench_baseline; drop table if exists bench_baseline.usage_drain; create table bench_baseline.usage_drain (id text, subscription_id text, quantity integer, occurred_at timestamptz)',
  );
  try {
    const publishSeconds = await fill(nc, jsm, BASELINE_STREAM, BASELINE_SUBJECT, usageEvents(count, subscriptions, seed), count);
    const consumer = await nc.jetstream().consumers.get(BASELINE_STREAM, 'baseline');
    const start = performance.now();
    let copied = 0;
    while (copied < count) {
      const messages = [];
      for await (const message of await consumer.fetch({ max_messages: 1000, expires: 1000 })) messages.push(message);
      if (messages.length === 0) continue;
      const lines = messages.map((message) => {
        const event = message.json<BenchUsageEvent>();
        return `${event.id}\t${event.subscriptionId}\t${event.quantity}\t${event.timestamp}\n`;
      });
      await pipeline(Readable.from(lines), db.query(copyFrom('copy bench_baseline.usage_drain from stdin')));
      for (const message of messages) message.ack();
      copied += messages.length;
    }
    const seconds = (performance.now() - start) / 1000;
    return { events: count, publishSeconds, seconds, eventsPerSecond: count / seconds, peakRssMiB: null };
  } finally {
    await jsm.streams.delete(BASELINE_STREAM).catch(() => undefined);
    await db.query('drop table if exists bench_baseline.usage_drain');
    await db.end();
    await nc.close();
  }
}
