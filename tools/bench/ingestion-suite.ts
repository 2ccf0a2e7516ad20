/**
 * Section 1 of BENCHMARKS.md: every ingestion benchmark, run on private stacks, and its markdown.
 *
 * Parts (`BENCH_INGESTION_PARTS`, comma-separated, default all): `drain` (the pre-filled stream
 * drained by metering, and by the raw JetStream pull + COPY baseline), `concurrent` (publishing
 * while consuming, and its baseline), `latency` (publish → queryable at a steady rate), `rest`
 * (POST /v1/usage-events, batches of 1,000 from 4 clients) and `curve` (the drain at 100,000 and
 * 1,000,000 events; 5,000,000 too with `BENCH_CURVE=large`). `BENCH_PROFILE_DIR` starts the
 * drain's metering with `--cpu-prof` into that directory.
 */
import { cpus, loadavg } from 'node:os';
import { connect } from 'nats';
import { Client } from 'pg';
import { SUBJECTS } from '@cec/contracts';
import { PrivateStackOptions, startStack, StackInfo, stopStack } from '../stack/private-stack';
import { usageEvents } from './bench-data';
import { renderLineChart } from './chart';
import { benchBaselineDrain, benchPlatformDrain, DrainResult } from './ingestion-drain.bench';
import { announceSubscriptions, benchBaselineIngestion, benchPlatformIngestion, IngestionResult, percentile, watchSamples } from './ingestion.bench';

export interface IngestionSuiteConfig {
  stack: PrivateStackOptions;
  events: number;
  subscriptions: number;
  seed: number;
  parts: ReadonlySet<string>;
  largeCurve: boolean;
  profileDir: string | null;
  /** Writes a chart next to BENCHMARKS.md; returns its path relative to it. */
  writeChart: (name: string, svg: string) => string;
  log: (line: string) => void;
}

interface SteadyLatency {
  rate: number;
  seconds: number;
  events: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface RestResult {
  clients: number;
  batchSize: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  p99BatchMs: number;
}

const encoder = new TextEncoder();
const fmt = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Publishes at `rate` events/s for `seconds` (plain publishes, paced every 5 ms) and measures publish → queryable on every 100th. */
export async function benchSteadyLatency(info: StackInfo, rate: number, seconds: number, subscriptions: number, seed: number): Promise<SteadyLatency> {
  const nc = await connect({ servers: info.natsUrl });
  const db = new Client({ connectionString: info.databaseUrl });
  await db.connect();
  try {
    const total = rate * seconds;
    const sent = new Map<string, number>();
    const publishing = (async () => {
      const events = usageEvents(total, subscriptions, seed);
      const start = performance.now();
      let count = 0;
      while (count < total) {
        const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
        for (; count < due; count += 1) {
          const event = events.next().value as { id: string };
          if (count % 100 === 0) sent.set(event.id, performance.now());
          nc.publish(SUBJECTS.usageReported, encoder.encode(JSON.stringify(event)));
        }
        nc.flush().catch(() => undefined);
        await sleep(5);
      }
      await nc.flush();
      return count;
    })();
    const { latencies } = await watchSamples(db, 'metering.usage_event', sent, publishing, 600_000);
    return { rate, seconds, events: total, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: latencies[latencies.length - 1] ?? Number.NaN };
  } finally {
    await db.end();
    await nc.close();
  }
}

/** `clients` concurrent clients, each posting its share of `batches` bodies of `batchSize` events, one at a time. */
export async function benchRest(info: StackInfo, clients: number, batches: number, batchSize: number, subscriptions: number, seed: number): Promise<RestResult> {
  const events = usageEvents(batches * batchSize, subscriptions, seed);
  const bodies: string[] = [];
  for (let b = 0; b < batches; b += 1) {
    const batch = [];
    for (let i = 0; i < batchSize; i += 1) batch.push(events.next().value);
    bodies.push(JSON.stringify({ events: batch }));
  }
  const url = `http://127.0.0.1:${info.ports.metering}/v1/usage-events`;
  const headers = { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' };
  const timings: number[] = [];
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < bodies.length) {
      const body = bodies[next++];
      const sentAt = performance.now();
      const response = await fetch(url, { method: 'POST', headers, body });
      const result = (await response.json()) as { accepted?: number };
      if (response.status !== 202 || result.accepted !== batchSize) throw new Error(`POST /v1/usage-events answered ${response.status}: ${JSON.stringify(result).slice(0, 300)}`);
      timings.push(performance.now() - sentAt);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: clients }, client));
  const seconds = (performance.now() - start) / 1000;
  const total = batches * batchSize;
  return { clients, batchSize, events: total, seconds, eventsPerSecond: total / seconds, p99BatchMs: percentile(timings.sort((a, b) => a - b), 99) };
}

/** A fresh stack with the subscriptions announced, for `work`; stopped afterwards. */
async function withStack<T>(config: IngestionSuiteConfig, suffix: string, work: (info: StackInfo) => Promise<T>): Promise<T> {
  const info = await startStack({ ...config.stack, name: `${config.stack.name}-${suffix}` });
  try {
    const nc = await connect({ servers: info.natsUrl });
    const db = new Client({ connectionString: info.databaseUrl });
    await db.connect();
    try {
      await announceSubscriptions(nc, db, config.subscriptions);
    } finally {
      await db.end();
      await nc.close();
    }
    return await work(info);
  } finally {
    await stopStack();
  }
}

export async function runIngestionSuite(config: IngestionSuiteConfig): Promise<string> {
  const { events, subscriptions, seed, parts, log } = config;
  const drainOptions: PrivateStackOptions = {
    ...config.stack,
    nodeArgs: config.profileDir ? { metering: ['--cpu-prof', `--cpu-prof-dir=${config.profileDir}`] } : undefined,
  };
  let drain: { platform: DrainResult; baseline: DrainResult } | null = null;
  let concurrent: { platform: IngestionResult; baseline: IngestionResult } | null = null;
  let latency: SteadyLatency | null = null;
  let rest: RestResult | null = null;

  log(`ingestion: ${fmt(events)} events over ${fmt(subscriptions)} subscriptions (${[...parts].join(', ')})`);
  const loads: number[] = [];
  const sampler = setInterval(() => loads.push(loadavg()[0]), 5000);
  if (parts.has('drain') || parts.has('concurrent') || parts.has('latency') || parts.has('rest') || parts.has('curve')) {
    await withStack(config, 'ingestion', async (info) => {
      if (parts.has('drain') || parts.has('curve')) {
        log('  drain baseline (pre-filled bare stream, pull 1000, COPY)…');
        const baseline = await benchBaselineDrain(info.natsUrl, info.databaseUrl, events, subscriptions, seed + 1);
        log(`  drain baseline: ${fmt(baseline.eventsPerSecond)} events/s`);
        log('  drain platform (pre-filled usage.reported, then metering starts)…');
        const platform = await benchPlatformDrain(drainOptions, info, events, subscriptions, seed + 2);
        log(`  drain platform: ${fmt(platform.eventsPerSecond)} events/s, ${fmt(platform.seconds, 1)} s, peak RSS ${fmt(platform.peakRssMiB ?? 0)} MiB`);
        drain = { platform, baseline };
      }
      if (parts.has('concurrent')) {
        log('  concurrent baseline (JetStream publish, pull, COPY into a bare table)…');
        const baseline = await benchBaselineIngestion(info.natsUrl, info.databaseUrl, events, subscriptions, seed + 3);
        log(`  concurrent baseline: ${fmt(baseline.eventsPerSecond)} events/s`);
        const platform = await benchPlatformIngestion(info.natsUrl, info.databaseUrl, events, subscriptions, seed);
        log(`  concurrent platform: ${fmt(platform.eventsPerSecond)} events/s`);
        concurrent = { platform, baseline };
      }
      if (parts.has('latency')) {
        latency = await benchSteadyLatency(info, 10_000, 20, subscriptions, seed + 4);
        log(`  steady 10,000 events/s: p50 ${fmt(latency.p50Ms)} ms, p99 ${fmt(latency.p99Ms)} ms`);
      }
      if (parts.has('rest')) {
        rest = await benchRest(info, 4, 200, 1000, subscriptions, seed + 5);
        log(`  REST 4 clients x 1,000-event batches: ${fmt(rest.eventsPerSecond)} events/s`);
      }
    });
  }

  const curve: Array<{ events: number; result: DrainResult }> = [];
  if (parts.has('curve')) {
    const sizes = [100_000, 1_000_000, ...(config.largeCurve ? [5_000_000] : [])];
    for (const size of sizes) {
      const reused = drain as { platform: DrainResult } | null;
      if (reused && reused.platform.events === size) {
        curve.push({ events: size, result: reused.platform });
        continue;
      }
      log(`  curve: drain of ${fmt(size)} events on a fresh stack…`);
      const result = await withStack(config, 'curve', (info) => benchPlatformDrain(config.stack, info, size, subscriptions, seed + 10));
      log(`  curve ${fmt(size)}: ${fmt(result.eventsPerSecond)} events/s, ${fmt(result.seconds, 1)} s, peak RSS ${fmt(result.peakRssMiB ?? 0)} MiB`);
      curve.push({ events: size, result });
    }
  }
  clearInterval(sampler);
  const load = loads.length > 0 ? { mean: loads.reduce((a, b) => a + b, 0) / loads.length, max: Math.max(...loads) } : null;
  return ingestionMarkdown(config, { drain, concurrent, latency, rest, curve, load }, curve.length > 0 ? await curveChart(config, curve) : null);
}

async function curveChart(config: IngestionSuiteConfig, curve: Array<{ events: number; result: DrainResult }>): Promise<string> {
  const svg = await renderLineChart({
    title: 'Ingestion drain: metering draining a pre-filled usage.reported',
    xLabel: 'events in the stream',
    yLabel: 'seconds / thousand events per second / peak RSS MiB',
    series: [
      { name: 'seconds', points: curve.map((p) => ({ x: p.events, y: Number(p.result.seconds.toFixed(2)) })) },
      { name: 'thousand events/s', points: curve.map((p) => ({ x: p.events, y: Number((p.result.eventsPerSecond / 1000).toFixed(1)) })) },
      { name: 'peak RSS (MiB)', points: curve.map((p) => ({ x: p.events, y: Math.round(p.result.peakRssMiB ?? 0) })) },
    ],
  });
  return config.writeChart('bench-ingestion-curve.svg', svg);
}

interface IngestionFigures {
  drain: { platform: DrainResult; baseline: DrainResult } | null;
  concurrent: { platform: IngestionResult; baseline: IngestionResult } | null;
  latency: SteadyLatency | null;
  rest: RestResult | null;
  curve: Array<{ events: number; result: DrainResult }>;
  /** The 1-minute load average sampled every 5 s during the benchmarks (other work on the machine shows here). */
  load: { mean: number; max: number } | null;
}

const verdict = (met: boolean, shown: string): string => (met ? 'met' : `not met (${shown})`);

function ingestionMarkdown(config: IngestionSuiteConfig, figures: IngestionFigures, chart: string | null): string {
  const { drain, concurrent, latency, rest, curve } = figures;
  const out: string[] = [
    `## 1. Ingestion: usage events from \`usage.reported\` to committed rows

${fmt(config.events)} events over ${fmt(config.subscriptions)} subscriptions (seeded), published onto the stream's subject
by the load generator (plain NATS publishes flushed every 5,000, with \`Nats-Msg-Id\` set to the event id).
Committed means stored once (deduplicated by id), its transaction committed and the message acked.${
      figures.load ? `\nLoad average (1 min) on this ${cpus().length}-core machine while they ran: ${fmt(figures.load.mean, 1)} on average, ${fmt(figures.load.max, 1)} at most.` : ''
    }`,
  ];
  if (drain) {
    const { platform, baseline } = drain;
    out.push(`### Drain: the stream filled first, then consumed

The apps are stopped, the events published (${fmt(platform.publishSeconds, 1)} s, not timed), then metering alone is
started; the clock starts at its first delivery (the durable consumer's info, polled every 20 ms)
and stops when every message is acked, which metering does only after the batch's commit. The
baseline drains the same number of events from a bare stream the same way (its first fetch to its
last COPY).

| drain | events/s | seconds | peak RSS |
| --- | ---: | ---: | ---: |
| **platform** (metering app: pull consumer, validation, dedupe by id, set-based insert, revisions, outbox) | **${fmt(platform.eventsPerSecond)}** | ${fmt(platform.seconds, 1)} | ${fmt(platform.peakRssMiB ?? 0)} MiB |
| baseline (JetStream pull 1000, COPY into a bare table) | ${fmt(baseline.eventsPerSecond)} | ${fmt(baseline.seconds, 1)} | |
| **ratio platform / baseline** | **${fmt(platform.eventsPerSecond / baseline.eventsPerSecond, 2)}** | | |
${
  platform.cpu
    ? `\nCPU over the platform's drain (user + system seconds from \`/proc/<pid>/stat\`; capacity ${fmt(cpus().length * platform.seconds, 1)} on ${cpus().length} cores): ${platform.cpu
        .filter((c) => c.seconds >= 0.05)
        .map((c) => `${c.group} ${fmt(c.seconds, 1)}`)
        .join(', ')}. Metering runs as \`npm start\` starts it, its V8 old space capped at 192 MiB.\n`
    : ''
}
Target: at least 50,000 events/s drained — **${verdict(platform.eventsPerSecond >= 50_000, `${fmt(platform.eventsPerSecond)} events/s`)}**.
Where the time goes: \`tools/bench/profiles/ingestion-2-before.txt\` and \`ingestion-2-after.txt\` (metering's
CPU profile while it drains 200,000 events, the batch statement timed inside metering, its EXPLAIN).
Metering's event loop mostly waits on PostgreSQL: per event the database inserts the usage row
(three indexes), upserts the revision of its (subscription, month) and writes or folds that pair's
\`metering.usage.changed\` outbox row (about four row writes, and one relay publish per outbox row),
where the baseline COPYs one row into a table without keys. Concurrent batches mostly commit one
after another: over 10,000 subscriptions they always share (subscription, month) revision rows and
account sequence counters, which each holds locked until it commits (3 fetch loops × 2,000 events
and 1 × 4,000 drained at the same rate). Reaching 50,000 events/s needs those writes append-only (no
row shared by two batches), not tuning.`);
  }
  if (concurrent) {
    const { platform, baseline } = concurrent;
    out.push(`### Concurrent: published while consumed

| concurrent | events/s (publish start → last event committed) | seconds | p50 latency | p99 latency |
| --- | ---: | ---: | ---: | ---: |
| **platform** | ${fmt(platform.eventsPerSecond)} | ${fmt(platform.seconds, 1)} | ${fmt(platform.p50Ms)} ms | ${fmt(platform.p99Ms)} ms |
| baseline (JetStream publish, pull 1000, COPY into a bare table) | ${fmt(baseline.eventsPerSecond)} | ${fmt(baseline.seconds, 1)} | ${fmt(baseline.p50Ms)} ms | ${fmt(baseline.p99Ms)} ms |
| **ratio platform / baseline** | **${fmt(platform.eventsPerSecond / baseline.eventsPerSecond, 2)}** | | | |

Target: at least 20,000 events/s sustained — **${verdict(platform.eventsPerSecond >= 20_000, `${fmt(platform.eventsPerSecond)} events/s`)}**.
Latency is measured on every 100th event: for the platform, polled by id every 50 ms from outside
(up to ~50 ms of granularity); for the baseline, stamped by its consumer when its COPY returns.
Publishing runs at full speed here, so latency includes the time an event waits behind the
backlog: a saturation figure (the steady-rate one is below).`);
  }
  if (latency) {
    out.push(`### Latency at a steady rate

${fmt(latency.events)} events published at ${fmt(latency.rate)} events/s for ${latency.seconds} s (paced every 5 ms); every
100th event polled by id every 50 ms until it is queryable.

| publish → queryable | p50 | p99 | max |
| --- | ---: | ---: | ---: |
| at ${fmt(latency.rate)} events/s | ${fmt(latency.p50Ms)} ms | **${fmt(latency.p99Ms)} ms** | ${fmt(latency.maxMs)} ms |

Target: p99 at most 1 s — **${verdict(latency.p99Ms <= 1000, `${fmt(latency.p99Ms)} ms`)}**.`);
  }
  if (rest) {
    out.push(`### REST: \`POST /v1/usage-events\`

${rest.clients} concurrent clients (Node's fetch, i.e. undici, keep-alive), each posting batches of ${fmt(rest.batchSize)} events one
after the other, ${fmt(rest.events)} events in all; every answer checked (202, all accepted).

| REST | events/s | seconds | p99 per batch |
| --- | ---: | ---: | ---: |
| ${rest.clients} clients × ${fmt(rest.batchSize)}-event batches | **${fmt(rest.eventsPerSecond)}** | ${fmt(rest.seconds, 1)} | ${fmt(rest.p99BatchMs)} ms |

Target: at least 20,000 events/s — **${verdict(rest.eventsPerSecond >= 20_000, `${fmt(rest.eventsPerSecond)} events/s`)}**.`);
  }
  if (curve.length > 0) {
    out.push(`### Cost curve of the drain

Each point is the drain above on a fresh stack (the 1,000,000 point is the drain figure);
5,000,000 runs with \`BENCH_CURVE=large\` only. Peak RSS is metering's.

| events | seconds | events/s | peak RSS metering |
| ---: | ---: | ---: | ---: |
${curve.map((p) => `| ${fmt(p.events)} | ${fmt(p.result.seconds, 1)} | ${fmt(p.result.eventsPerSecond)} | ${fmt(p.result.peakRssMiB ?? 0)} MiB |`).join('\n')}
${chart ? `\n![ingestion cost curve](${chart})` : ''}`);
  }
  return out.join('\n\n');
}
