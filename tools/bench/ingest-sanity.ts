/**
 * Throughput sanity check of metering's ingestion (not a test): usage events published to
 * `usage.reported` until they are committed rows in metering.usage_event. Target: >= 20,000/s.
 *
 *   node tools/run-ts.js apps/metering/src/cli/migrate.ts          # once
 *   node tools/run-ts.js apps/metering/src/main.ts &                # the app under test
 *
 * End to end, publisher and app side by side (on 2 cores the publisher takes its share of CPU):
 *   node tools/run-ts.js tools/bench/ingest-sanity.ts [events=200000] [subscriptions=500]
 *
 * The app's own drain rate, from a backlog (no publisher competing):
 *   node tools/run-ts.js tools/bench/ingest-sanity.ts prepare [subscriptions=500]   # app running; prints RUN
 *   (stop the app)
 *   node tools/run-ts.js tools/bench/ingest-sanity.ts backlog RUN [events=300000] [subscriptions=500]
 *   (start the app)
 *   node tools/run-ts.js tools/bench/ingest-sanity.ts measure RUN [events=300000]
 *
 * Uses DATABASE_URL / METERING_DB_SCHEMA / NATS_URL like the app. Ids are unique to the run.
 */
import { randomBytes } from 'node:crypto';
import { connect, JetStreamClient, NatsConnection } from 'nats';
import { Client } from 'pg';
import { STREAMS, Subject, SUBJECTS, SubscriptionChangedEvent, UsageReportedMessage } from '@cec/contracts';
import { ensureStream, loadConfig } from '@cec/platform';

const WINDOW = 4000;
const encoder = new TextEncoder();
const START = Date.parse('2025-11-01T00:00:00+08:00');

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function publishAll(js: JetStreamClient, subject: Subject, count: number, message: (i: number) => { id: string; data: unknown }): Promise<void> {
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < count; i++) {
    const { id, data } = message(i);
    const ack: Promise<unknown> = js.publish(subject, encoder.encode(JSON.stringify(data)), { msgID: id }).then((): boolean => inFlight.delete(ack));
    inFlight.add(ack);
    if (inFlight.size >= WINDOW) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

interface Bench {
  db: Client;
  nc: NatsConnection;
  js: JetStreamClient;
}

async function open(): Promise<Bench> {
  process.env['OPERATOR_TOKENS'] ??= 'bench-token-not-used-000000';
  const config = loadConfig('metering');
  const db = new Client({ connectionString: config.databaseUrl });
  await db.connect();
  await db.query(`set search_path = "${config.schema}"`);
  const nc = await connect({ servers: config.natsUrl, name: 'ingest-sanity' });
  const jsm = await nc.jetstreamManager();
  await ensureStream(jsm, STREAMS.usage);
  await ensureStream(jsm, STREAMS.billingEvents);
  return { db, nc, js: nc.jetstream() };
}

async function close(bench: Bench): Promise<void> {
  await bench.nc.close();
  await bench.db.end();
}

const subscriptionId = (run: string, i: number): string => `bench-${run}-sub-${i}`;

async function prepare(bench: Bench, run: string, subscriptions: number): Promise<void> {
  await publishAll(bench.js, SUBJECTS.subscriptionChanged, subscriptions, (i) => {
    const event: SubscriptionChangedEvent = {
      id: `bench-${run}-chg-${i}`,
      occurredAt: '2025-11-01T00:00:00+08:00',
      subscriptionId: subscriptionId(run, i),
      accountId: `bench-${run}-acc-${Math.floor(i / 2)}`,
      kind: 'enabled',
      effectiveAt: '2025-11-01T00:00:00+08:00',
      sequence: 1,
      productCode: 'basic-cec',
      quantity: 1,
      billingMode: 'pay_per_use',
      status: 'active',
      enabledAt: '2025-11-01T00:00:00+08:00',
      cancelledAt: null,
    };
    return { id: event.id, data: event };
  });
  for (let waited = 0; ; waited += 250) {
    const { rows } = await bench.db.query<{ n: string }>('select count(*)::text as n from subscription where id like $1', [`bench-${run}-sub-%`]);
    if (Number(rows[0].n) === subscriptions) break;
    if (waited > 60_000) throw new Error('metering did not learn the subscriptions within 60 s: is the app running?');
    await sleep(250);
  }
  console.log(`metering knows ${subscriptions} subscriptions of run ${run}`);
}

async function publishUsage(bench: Bench, run: string, events: number, subscriptions: number): Promise<void> {
  const started = Date.now();
  await publishAll(bench.js, SUBJECTS.usageReported, events, (i) => {
    const event: UsageReportedMessage = {
      id: `bench-${run}-e-${i}`,
      subscriptionId: subscriptionId(run, i % subscriptions),
      quantity: 1 + (i % 17),
      timestamp: new Date(START + i * 1000).toISOString().replace('.000Z', 'Z'),
    };
    return { id: event.id, data: event };
  });
  const seconds = (Date.now() - started) / 1000;
  console.log(`published ${events} usage events in ${seconds.toFixed(1)} s (${Math.round(events / seconds)}/s)`);
}

/** Samples the committed count every second until `events` are stored; reports the best 5-second window. */
async function measure(bench: Bench, run: string, events: number, since: number | null): Promise<void> {
  const count = async (): Promise<number> => {
    const { rows } = await bench.db.query<{ n: string }>('select count(*)::text as n from usage_event where id like $1', [`bench-${run}-e-%`]);
    return Number(rows[0].n);
  };
  const samples: Array<{ t: number; n: number }> = [];
  let firstCommit: number | null = null;
  for (let idle = 0; ; ) {
    const n = await count();
    const t = Date.now();
    samples.push({ t, n });
    if (n > 0 && firstCommit === null) firstCommit = t;
    if (n >= events) break;
    idle = n === samples[samples.length - 2]?.n ? idle + 1 : 0;
    if (idle > 300) throw new Error(`stuck at ${n} of ${events} committed for 5 minutes`);
    await sleep(1000);
  }
  let best = 0;
  for (let i = 0; i < samples.length; i++) {
    const j = samples.findIndex((sample, k) => k > i && sample.t - samples[i].t >= 5000);
    if (j > 0) best = Math.max(best, ((samples[j].n - samples[i].n) * 1000) / (samples[j].t - samples[i].t));
  }
  const end = samples[samples.length - 1].t;
  const from = since ?? firstCommit ?? end;
  console.log(`${events} committed in ${((end - from) / 1000).toFixed(1)} s: ${Math.round((events * 1000) / Math.max(1, end - from))} events/s ${since === null ? 'from the first commit' : 'from the first publish'}`);
  console.log(`best 5-second window: ${Math.round(best)} committed events/s (target >= 20000)`);
}

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2);
  const bench = await open();
  try {
    if (mode === 'prepare') {
      const run = randomBytes(4).toString('hex');
      await prepare(bench, run, Number(args[0] ?? 500));
      console.log(`RUN=${run}`);
    } else if (mode === 'backlog') {
      await publishUsage(bench, args[0], Number(args[1] ?? 300_000), Number(args[2] ?? 500));
    } else if (mode === 'measure') {
      await measure(bench, args[0], Number(args[1] ?? 300_000), null);
    } else {
      const events = Number(mode ?? 200_000);
      const subscriptions = Number(args[0] ?? 500);
      const run = randomBytes(4).toString('hex');
      await prepare(bench, run, subscriptions);
      const started = Date.now();
      const watching = measure(bench, run, events, started);
      await publishUsage(bench, run, events, subscriptions);
      await watching;
    }
  } finally {
    await close(bench);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
