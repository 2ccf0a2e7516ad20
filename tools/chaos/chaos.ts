/**
 * Fault-injection suite (issue 9): a private stack (own PostgreSQL cluster, own nats-server, the
 * four apps with two replicas of billing and of metering), a seeded data set, and while it works:
 * kill -9 of every app at seeded moments, nats-server and PostgreSQL killed and restarted after a
 * short and a long outage, then a three-node JetStream cluster with R3 streams losing a node
 * mid-ingestion. At the end every check is a count; the suite fails if any is non-zero.
 *
 *   node tools/run-ts.js tools/chaos/chaos.ts [--size small|large] [--seed N] [--accounts N] [--report FILE]
 *
 * Ports 17000-17999 only; everything it starts is killed by pid when it ends.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { connect, NatsConnection } from 'nats';
import { Client } from 'pg';
import Decimal from 'decimal.js';
import { SUBJECTS, SubscriptionChangedEvent } from '@cec/contracts';
import { prng } from '../bench/bench-data';
import { ensureBuilt } from '../stack/build';
import { ChaosData, ChaosUsageEvent, expectedBills, generate, iso } from './data';
import { AppName, AppReplica, health, NatsNode, PgCluster, requireFreePort, runCli, sleep, waitJetStream, waitPort } from './processes';

// ---------------------------------------------------------------- configuration
interface SizeConfig {
  accounts: number;
  /** Outage of the long NATS / PostgreSQL faults, ms. */
  longOutageMs: number;
  /** Long outages also during ingestion (the small configuration has them during the run only). */
  longOutagesInIngestion: boolean;
  kills: { rest: AppName[]; ingestion: AppName[]; run: AppName[] };
  gapMs: [number, number];
  recoveryBoundMs: number;
  settleBoundMs: number;
  runBoundMs: number;
  cluster: { subscriptions: number; events: number };
  subscriptionsPerAccount: 2 | 3;
  /** Billing run settings of the stack (small jobs make a small run long enough to be hit mid-run). */
  billingEnv: Record<string, string>;
}

const SIZES: Record<'small' | 'large', SizeConfig> = {
  small: {
    accounts: 40,
    longOutageMs: 30_000,
    longOutagesInIngestion: false,
    kills: { rest: ['subscription', 'metering'], ingestion: ['metering', 'metering', 'subscription', 'catalog'], run: ['billing', 'metering', 'billing'] },
    gapMs: [500, 2500],
    recoveryBoundMs: 45_000,
    settleBoundMs: 90_000,
    runBoundMs: 90_000,
    cluster: { subscriptions: 20, events: 3000 },
    subscriptionsPerAccount: 2,
    billingEnv: { BILLING_RUN_BATCH_SIZE: '5', BILLING_JOBS_IN_PARALLEL: '1', BILLING_ACCOUNT_CONCURRENCY: '1' },
  },
  large: {
    accounts: 1000,
    longOutageMs: 60_000,
    longOutagesInIngestion: true,
    kills: {
      rest: ['subscription', 'metering', 'subscription', 'catalog'],
      ingestion: ['metering', 'metering', 'subscription', 'metering', 'catalog', 'metering', 'subscription', 'billing'],
      run: ['billing', 'metering', 'billing', 'catalog', 'billing', 'metering', 'billing'],
    },
    gapMs: [1000, 6000],
    recoveryBoundMs: 120_000,
    settleBoundMs: 600_000,
    runBoundMs: 300_000,
    cluster: { subscriptions: 200, events: 40_000 },
    // 250 accounts (one run job) x 3 subscriptions changing daily: the month of finding #9.1
    subscriptionsPerAccount: 3,
    billingEnv: {},
  },
};

function parseArgs(): { size: 'small' | 'large'; seed: number; accounts?: number; report?: string } {
  const args = process.argv.slice(2);
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const size = (value('--size') ?? process.env['CHAOS_SIZE'] ?? 'small') as 'small' | 'large';
  if (size !== 'small' && size !== 'large') throw new Error('--size must be small or large');
  const accounts = value('--accounts') ?? process.env['CHAOS_ACCOUNTS'];
  return { size, seed: Number(value('--seed') ?? process.env['CHAOS_SEED'] ?? 7), accounts: accounts ? Number(accounts) : undefined, report: value('--report') };
}

// CHAOS_PORT_BASE (default 17000) moves every port, so that two checkouts can run the suite side by side.
const PORT_BASE = Number(process.env['CHAOS_PORT_BASE'] ?? 17000);
const PORTS = {
  pg: PORT_BASE + 432,
  nats: PORT_BASE + 222,
  http: PORT_BASE,
  cluster: [PORT_BASE + 251, PORT_BASE + 252, PORT_BASE + 253],
  routes: [PORT_BASE + 351, PORT_BASE + 352, PORT_BASE + 353],
};
const TOKEN = 'chaos-suite-operator-token-0123456789';
const work = join(tmpdir(), PORT_BASE === 17000 ? 'cec-chaos' : `cec-chaos-${PORT_BASE}`);
const logs = join(work, 'logs');
const t0 = Date.now();

function say(line: string): void {
  process.stdout.write(`[chaos ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
}

// ---------------------------------------------------------------- the stack
interface FaultRecord {
  phase: string;
  fault: string;
  outageMs: number;
  /** Restart of the faulted part until every /health is 200 and request/reply answers; null: not within the bound. */
  recoveredMs: number | null;
  /** The bound that was waited. */
  boundMs: number;
  detail?: string;
}

class Stack {
  readonly replicas: AppReplica[] = [];
  readonly faults: FaultRecord[] = [];
  /** /health answers of 200 seen while NATS or PostgreSQL was down (should be 503). */
  healthyWhileDown: string[] = [];

  constructor(
    readonly pg: PgCluster,
    readonly nats: NatsNode,
    readonly databaseUrl: string,
    readonly config: SizeConfig,
    readonly random: () => number,
  ) {}

  env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: this.databaseUrl,
      NATS_URL: this.nats.url,
      OPERATOR_TOKENS: TOKEN,
      LOG_LEVEL: 'warn',
      BILLING_TEST_CLOCK: 'false',
      // the suite starts the month's run itself, once its data is in; the scheduler's own ticks
      // (boot catch-up, the 5-minute tick that bills every ended month with unbilled usage, #9.4/#9.5,
      // proven by the billing clock suite) would otherwise bill the month at a moment that depends
      // on the wall clock, and the month before for subscriptions enabled in it
      BILLING_CATCH_UP_ON_BOOT: 'false',
      BILLING_SCHEDULER_TICK: 'false',
      NATS_REQUEST_TIMEOUT_MS: '10000',
      ...this.config.billingEnv,
    };
  }

  async migrate(): Promise<void> {
    for (const app of ['catalog', 'subscription', 'metering', 'billing'] as const) await runCli(app, 'migrate', this.env(), join(logs, `migrate-${app}.log`));
  }

  startApps(): void {
    const layout: Array<[AppName, number]> = [
      ['catalog', 1],
      ['subscription', 1],
      ['metering', 2],
      ['billing', 2],
    ];
    let port = PORTS.http + 1;
    for (const [app, count] of layout) {
      for (let i = 0; i < count; i += 1) {
        const replica = new AppReplica(app, i, port, this.env(), join(logs, `${app}-${i + 1}.log`));
        port += 1;
        replica.start();
        this.replicas.push(replica);
      }
    }
  }

  ports(app: AppName): number[] {
    return this.replicas.filter((r) => r.app === app).map((r) => r.port);
  }

  /** Every replica answers /health 200 and subscription -> catalog request/reply answers. */
  async healthy(): Promise<boolean> {
    const statuses = await Promise.all(this.replicas.map((r) => health(r.port)));
    if (statuses.some((s) => s !== 200)) return false;
    return this.requestReplyAnswers();
  }

  /** A subscription for a product that does not exist: 404 means catalog answered; 503 means it did not. */
  async requestReplyAnswers(): Promise<boolean> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.ports('subscription')[0]}/v1/subscriptions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ accountId: 'chaos-probe', productCode: 'chaos-no-such-product', quantity: 1, billingMode: 'pay_per_use', enabledAt: iso(Math.floor(Date.now() / 1000)) }),
        signal: AbortSignal.timeout(15_000),
      });
      await response.arrayBuffer();
      return response.status === 404;
    } catch {
      return false;
    }
  }

  /**
   * Time until healthy, or null after the bound, with what was still wrong then. Once the stack has
   * failed to recover, later faults wait a short bound only (a restart may still mend it).
   */
  async waitRecovered(): Promise<number | null> {
    const started = Date.now();
    const boundMs = this.currentBoundMs();
    while (Date.now() - started < boundMs) {
      if (await this.healthy()) return Date.now() - started;
      await sleep(250);
    }
    const statuses = await Promise.all(this.replicas.map(async (r) => [r.label, await health(r.port)] as const));
    const unhealthy = statuses.filter(([, status]) => status !== 200).map(([label, status]) => `${label} /health ${status}`);
    const rpc = await this.requestReplyAnswers();
    this.lastFailure = [...unhealthy, rpc ? 'request/reply answers' : 'request/reply does not answer (subscription -> catalog)'].join(', ');
    if (unhealthy.length === 0 && !rpc) this.healthyWhileBroken.push(this.lastFailure);
    if (!this.broken) this.lastFailure += ' (later faults: 20 s bound)';
    this.broken = true;
    return null;
  }

  private broken = false;

  currentBoundMs(): number {
    return this.broken ? Math.min(this.config.recoveryBoundMs, 20_000) : this.config.recoveryBoundMs;
  }

  lastFailure = '';
  /** Every /health said 200 while request/reply between the apps did not answer. */
  healthyWhileBroken: string[] = [];

  private async noteHealthWhileDown(what: string): Promise<void> {
    const statuses = await Promise.all(this.replicas.map(async (r) => [r.label, await health(r.port)] as const));
    for (const [label, status] of statuses) if (status === 200) this.healthyWhileDown.push(`${label} (${what})`);
  }

  private async record(phase: string, fault: string, outageMs: number, detail?: string): Promise<void> {
    const boundMs = this.currentBoundMs();
    const recoveredMs = await this.waitRecovered();
    this.faults.push({ phase, fault, outageMs, recoveredMs, boundMs, detail: recoveredMs === null ? this.lastFailure : detail });
    say(`  ${fault}: ${recoveredMs === null ? `NOT recovered within ${boundMs / 1000} s` : `recovered in ${(recoveredMs / 1000).toFixed(1)} s`}`);
  }

  async killApp(phase: string, app: AppName): Promise<void> {
    const candidates = this.replicas.filter((r) => r.app === app);
    const replica = candidates[Math.floor(this.random() * candidates.length)];
    const downMs = 300 + Math.floor(this.random() * 1500);
    say(`${phase}: kill -9 ${replica.label}, restart after ${downMs} ms`);
    await replica.kill();
    await sleep(downMs);
    replica.start();
    await this.record(phase, `kill -9 ${replica.label}`, downMs);
  }

  async natsOutage(phase: string, outageMs: number): Promise<void> {
    say(`${phase}: kill -9 nats-server, restart after ${outageMs / 1000} s (same store)`);
    await this.nats.kill();
    if (outageMs >= 5000) {
      await sleep(4000);
      await this.noteHealthWhileDown('NATS down');
      await sleep(outageMs - 4000);
    } else await sleep(outageMs);
    await this.nats.start();
    await this.record(phase, `NATS down ${outageMs / 1000} s`, outageMs);
  }

  async pgOutage(phase: string, outageMs: number): Promise<void> {
    say(`${phase}: PostgreSQL stopped (immediate), restart after ${outageMs / 1000} s`);
    this.pg.stop();
    if (outageMs >= 5000) {
      await sleep(4000);
      await this.noteHealthWhileDown('PostgreSQL down');
      await sleep(outageMs - 4000);
    } else await sleep(outageMs);
    this.pg.start();
    await this.record(phase, `PostgreSQL down ${outageMs / 1000} s`, outageMs);
  }

  /** Runs the faults one after another, each at a seeded moment after the previous one recovered. */
  async inject(phase: string, faults: Array<() => Promise<void>>, firstGapMs?: [number, number]): Promise<void> {
    say(`${phase}: ${faults.length} faults`);
    for (const [i, fault] of faults.entries()) {
      const [min, max] = i === 0 && firstGapMs ? firstGapMs : this.config.gapMs;
      await sleep(min + Math.floor(this.random() * (max - min)));
      await fault();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.kill()));
  }
}

// ---------------------------------------------------------------- clients
interface Answer<T> {
  status: number;
  body: T;
}

async function call<T>(port: number, method: string, path: string, body?: unknown): Promise<Answer<T>> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

/**
 * A client that keeps trying through crashes: network errors, 5xx (and 404 where the app may not
 * know the id yet) are retried on the app's replicas until `boundMs`; 409 on a retry means the
 * first attempt landed. Answers null when it never got through.
 */
async function persist<T>(ports: number[], method: string, path: string, body: unknown, boundMs: number, retry404 = false): Promise<Answer<T> | null> {
  const deadline = Date.now() + boundMs;
  let attempt = 0;
  while (Date.now() < deadline) {
    try {
      const answer = await call<T>(ports[attempt % ports.length], method, path, body);
      const retryable = answer.status >= 500 || answer.status === 429 || (retry404 && answer.status === 404);
      if (!retryable) return answer;
    } catch {
      // the replica is down or restarting
    }
    attempt += 1;
    await sleep(Math.min(200 * attempt, 1000));
  }
  return null;
}

/**
 * Spreads a workload over `spanMs` (so that the faults land in the middle of it): each item waits
 * until its share of the span has passed.
 */
class Pace {
  private readonly started = Date.now();
  private done = 0;
  constructor(
    private readonly total: number,
    private readonly spanMs: number,
  ) {}
  async wait(items = 1): Promise<void> {
    const due = this.started + (this.done / this.total) * this.spanMs;
    this.done += items;
    if (due > Date.now()) await sleep(due - Date.now());
  }
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const item = items[next];
        next += 1;
        await work(item);
      }
    }),
  );
}

const encoder = new TextEncoder();

/** Publishes with Nats-Msg-Id until JetStream acknowledges (or the bound passes); the acked ids are "accepted". */
async function publishAll(
  nc: NatsConnection,
  subject: string,
  messages: Array<{ id: string; payload: unknown }>,
  boundMs: number,
  accepted: Set<string>,
  pace?: Pace,
): Promise<void> {
  const js = nc.jetstream({ timeout: 5000 });
  const deadline = Date.now() + boundMs;
  await pool(messages, 32, async (message) => {
    await pace?.wait();
    while (Date.now() < deadline) {
      try {
        await js.publish(subject, encoder.encode(JSON.stringify(message.payload)), { msgID: message.id, timeout: 5000 });
        accepted.add(message.id);
        return;
      } catch {
        await sleep(300);
      }
    }
  });
}

/** A pg client that reconnects after PostgreSQL was stopped. */
class Db {
  private client: Client | null = null;
  constructor(private readonly url: string) {}
  async get(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({ connectionString: this.url });
    client.on('error', () => {
      this.client = null;
    });
    await client.connect();
    this.client = client;
    return client;
  }
  async query<R extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return (await (await this.get()).query<R>(sql, params)).rows;
      } catch (error) {
        this.client = null;
        if (attempt > 60) throw error;
        await sleep(500);
      }
    }
  }
  async end(): Promise<void> {
    await this.client?.end().catch(() => undefined);
  }
}

// ---------------------------------------------------------------- checks
interface Check {
  name: string;
  count: number;
  detail: string;
}

// ---------------------------------------------------------------- main
async function main(): Promise<void> {
  const args = parseArgs();
  const config = { ...SIZES[args.size] };
  if (args.accounts) config.accounts = args.accounts;
  const random = prng(args.seed ^ 0x5eed);
  // before anything is touched: another run (or program) on our ports would be disturbed
  for (const port of [PORTS.pg, PORTS.nats, ...PORTS.cluster, ...PORTS.routes, ...Array.from({ length: 8 }, (_, i) => PORTS.http + 1 + i), PORTS.http + 21, PORTS.http + 22]) {
    await requireFreePort(port);
  }
  rmSync(work, { recursive: true, force: true });
  mkdirSync(logs, { recursive: true });
  // the replicas run the compiled apps (dist/apps/<app>/main.js): build them when missing or stale
  await ensureBuilt(['catalog', 'subscription', 'metering', 'billing'], (line) => say(line));
  const data = generate(config.accounts, args.seed, Date.now(), config.subscriptionsPerAccount);
  const natsEvents = data.events.filter((e) => e.via === 'nats');
  const restEvents = data.events.filter((e) => e.via === 'rest');
  say(`size ${args.size}, seed ${args.seed}: ${data.accounts.length} accounts, ${data.subscriptions.length} subscriptions, ${data.events.length} usage events (${natsEvents.length} NATS, ${restEvents.length} REST), month ${data.period}`);

  const pg = new PgCluster(PORTS.pg, join(work, 'pg'), join(logs, 'postgres.log'));
  const nats = new NatsNode({ name: 'chaos-single', port: PORTS.nats, storeDir: join(work, 'nats'), logFile: join(logs, 'nats.log') });
  const cluster = PORTS.cluster.map(
    (port, i) =>
      new NatsNode({
        name: `chaos-n${i + 1}`,
        port,
        storeDir: join(work, `nats-n${i + 1}`),
        logFile: join(logs, `nats-n${i + 1}.log`),
        cluster: { port: PORTS.routes[i], routes: PORTS.routes.filter((_, j) => j !== i) },
      }),
  );
  const checks: Check[] = [];
  let stack: Stack | null = null;
  let clusterStack: Stack | null = null;
  const db = new Db(pg.url('cec_chaos'));
  const timings: Record<string, number> = {};
  try {
    say('private PostgreSQL cluster (initdb) and nats-server');
    await pg.init();
    const admin = new Client({ connectionString: pg.url('postgres') });
    await admin.connect();
    await admin.query('create database cec_chaos');
    await admin.query('create database cec_chaos_r3');
    await admin.end();
    await nats.start();
    stack = new Stack(pg, nats, pg.url('cec_chaos'), config, random);
    say('migrations');
    await stack.migrate();
    say('starting catalog, subscription, metering x2, billing x2');
    stack.startApps();
    const up = await stack.waitRecovered();
    if (up === null) throw new Error(`the stack did not come up (logs in ${logs})`);
    const s = stack;
    const catalogPorts = s.ports('catalog');
    const subscriptionPorts = s.ports('subscription');
    const meteringPorts = s.ports('metering');
    const billingPorts = s.ports('billing');
    const bound = config.settleBoundMs;

    // ------------------------------------------------ catalog (no faults: the fixture)
    for (const product of data.products) {
      await persist(catalogPorts, 'POST', '/v1/products', { code: product.code, name: product.code, unit: product.unit, features: ['softphone'], billingModes: ['pay_per_use'] }, bound);
      await persist(catalogPorts, 'POST', `/v1/products/${product.code}/prices`, { unitPrice: product.unitPrice, currency: 'USD', effectiveFrom: '2020-01-01' }, bound);
    }
    await persist(subscriptionPorts, 'POST', '/v1/accounts', { id: 'chaos-probe', name: 'probe' }, bound);

    // ------------------------------------------------ phase 1: REST writes under kills
    say(`phase 1: ${data.accounts.length} accounts and ${data.subscriptions.length} subscriptions through REST, with kills`);
    let restWriteFailures = 0;
    const restWriteErrors: string[] = [];
    const noteFailure = (what: string, answer: Answer<unknown> | null, okStatuses: number[]): void => {
      if (answer && okStatuses.includes(answer.status)) return;
      restWriteFailures += 1;
      if (restWriteErrors.length < 5) restWriteErrors.push(`${what}: ${answer ? `${answer.status} ${JSON.stringify(answer.body).slice(0, 160)}` : 'no answer within the bound'}`);
    };
    const phase1Start = Date.now();
    const accountPace = new Pace(data.accounts.length, config.kills.rest.length * (6000 + config.gapMs[1]));
    await Promise.all([
      (async () => {
        await pool(data.accounts, 6, async (accountId) => {
          await accountPace.wait();
          const answer = await persist(subscriptionPorts, 'POST', '/v1/accounts', { id: accountId, name: `Chaos ${accountId}` }, bound);
          noteFailure(`account ${accountId}`, answer, [201, 409]);
          for (const sub of data.subscriptions.filter((x) => x.accountId === accountId)) {
            const created = await persist(
              subscriptionPorts,
              'POST',
              '/v1/subscriptions',
              { id: sub.id, accountId, productCode: sub.productCode, quantity: sub.quantity, billingMode: 'pay_per_use', enabledAt: iso(sub.enabledAt) },
              bound,
            );
            noteFailure(`subscription ${sub.id}`, created, [201, 409]);
          }
        });
      })(),
      s.inject('REST writes', config.kills.rest.map((app) => () => s.killApp('REST writes', app))),
    ]);
    timings['phase 1 (REST writes)'] = Date.now() - phase1Start;

    say('waiting until billing knows every account and metering every subscription');
    const tag = `chaos-s${args.seed}-`;
    const knownAccounts = await waitCountDb(db, `select count(*) from billing.account where id like $1`, [`${tag}acc-%`], data.accounts.length, bound);
    const knownSubscriptions = await waitCountDb(db, `select count(*) from metering.subscription where id like $1`, [`${tag}sub-%`], data.subscriptions.length, bound);

    // discounts and top-ups (billing REST, retried through restarts)
    await pool(data.discounts, 4, async (discount) => {
      noteFailure(`discount ${discount.accountId}`, await persist(billingPorts, 'POST', '/v1/discounts', discount, bound, true), [201, 409]);
    });
    await pool(data.topUps, 4, async (topUp) => {
      noteFailure(`top-up ${topUp.reference}`, await persist(billingPorts, 'POST', `/v1/accounts/${topUp.accountId}/top-ups`, { amount: topUp.amount, reference: topUp.reference }, bound, true), [200, 201]);
    });

    // ------------------------------------------------ phase 2: ingestion under faults
    say(`phase 2: ${data.events.length} usage events (NATS usage.reported with Nats-Msg-Id, and REST), with faults`);
    const accepted = new Set<string>();
    const restRejected: string[] = [];
    const publisher = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250, name: 'chaos-publisher' });
    const ingestionFaults: Array<() => Promise<void>> = [
      ...config.kills.ingestion.map((app) => () => s.killApp('ingestion', app)),
      () => s.natsOutage('ingestion', 1000),
      () => s.pgOutage('ingestion', 1000),
    ];
    if (config.longOutagesInIngestion) {
      ingestionFaults.push(() => s.natsOutage('ingestion', config.longOutageMs));
      ingestionFaults.push(() => s.pgOutage('ingestion', config.longOutageMs));
    }
    shuffle(ingestionFaults, random);
    const phase2Start = Date.now();
    // ingestion spans roughly the fault window: a kill and its recovery take about 6 s, an outage its length plus that
    const spanMs = ingestionFaults.length * (6000 + config.gapMs[1]) + (config.longOutagesInIngestion ? 2 * config.longOutageMs : 0);
    const natsPace = new Pace(natsEvents.length, spanMs);
    const restPace = new Pace(restEvents.length, spanMs);
    const toPayload = (e: ChaosUsageEvent): { id: string; subscriptionId: string; quantity: number; timestamp: string } => ({
      id: e.id,
      subscriptionId: e.subscriptionId,
      quantity: e.quantity,
      timestamp: iso(e.at),
    });
    await Promise.all([
      publishAll(publisher, SUBJECTS.usageReported, natsEvents.map((e) => ({ id: e.id, payload: toPayload(e) })), spanMs + bound * 2, accepted, natsPace),
      (async () => {
        const batches: ChaosUsageEvent[][] = [];
        for (let i = 0; i < restEvents.length; i += 50) batches.push(restEvents.slice(i, i + 50));
        await pool(batches, 3, async (batch) => {
          await restPace.wait(batch.length);
          const answer = await persist<{ accepted: number; duplicates: number; rejected: Array<{ id: string; code: string }> }>(
            meteringPorts,
            'POST',
            '/v1/usage-events',
            { events: batch.map(toPayload) },
            spanMs + bound * 2,
          );
          if (!answer || answer.status !== 202) return;
          const rejected = new Set(answer.body.rejected.map((r) => r.id));
          for (const r of answer.body.rejected) restRejected.push(`${r.id}: ${r.code}`);
          for (const e of batch) if (!rejected.has(e.id)) accepted.add(e.id);
        });
      })(),
      s.inject('ingestion', ingestionFaults),
    ]);
    timings['phase 2 (ingestion)'] = Date.now() - phase2Start;
    await publisher.close();
    say(`accepted ${accepted.size} of ${data.events.length}; waiting until metering has stored them`);
    const storedCount = await waitCountDb(db, `select count(*) from metering.usage_event where id like $1`, [`${tag}ev-%`], accepted.size, bound);
    say(`metering stored ${storedCount}`);

    // ------------------------------------------------ phase 3: the billing run under faults
    say(`phase 3: billing run for ${data.period}, with faults`);
    const runFaults: Array<() => Promise<void>> = [
      ...config.kills.run.map((app) => () => s.killApp('run', app)),
      () => s.natsOutage('run', 1000),
      () => s.pgOutage('run', 1000),
    ];
    shuffle(runFaults, random);
    runFaults.push(() => s.natsOutage('run', config.longOutageMs));
    runFaults.push(() => s.pgOutage('run', config.longOutageMs));
    const phase3Start = Date.now();
    const run = await persist<{ id: string }>(billingPorts, 'POST', '/v1/billing-runs', { period: data.period }, bound);
    if (!run || run.status !== 202) throw new Error(`the run was refused: ${JSON.stringify(run)}`);
    await s.inject('run', runFaults, [100, 600]);
    let runState: { status: string; accountsBilled: number; billsIssued: number } | null = null;
    const runDeadline = Date.now() + config.runBoundMs;
    while (Date.now() < runDeadline) {
      const answer = await persist<{ status: string; accountsBilled: number; billsIssued: number }>(billingPorts, 'GET', `/v1/billing-runs/${run.body.id}`, undefined, 30_000);
      if (answer?.status === 200) {
        runState = answer.body;
        if (runState.status !== 'running') break;
      }
      await sleep(1000);
    }
    timings['phase 3 (run + faults + wait)'] = Date.now() - phase3Start;
    say(`run ${run.body.id}: ${JSON.stringify(runState)}`);

    // ------------------------------------------------ checks of the main stack
    say('checks');
    const finalRecovery = await s.waitRecovered();
    const pushCheck = (name: string, count: number, detail = ''): void => {
      checks.push({ name, count, detail });
    };
    pushCheck('REST writes not accepted within the bound (accounts, subscriptions, discounts, top-ups)', restWriteFailures, restWriteErrors.join('; '));
    pushCheck('accounts billing never learnt', data.accounts.length - knownAccounts, `${knownAccounts}/${data.accounts.length}`);
    pushCheck('subscriptions metering never learnt', data.subscriptions.length - knownSubscriptions, `${knownSubscriptions}/${data.subscriptions.length}`);
    pushCheck('usage events never accepted (no PubAck / 202 within the bound)', data.events.length - accepted.size - restRejected.length, '');
    pushCheck('usage events refused by REST', restRejected.length, restRejected.slice(0, 5).join('; '));

    const stored = await db.query<{ id: string; subscription_id: string; quantity: number; occurred_at: Date }>(
      'select id, subscription_id, quantity, occurred_at from metering.usage_event where id like $1',
      [`${tag}ev-%`],
    );
    const storedById = new Map<string, number>();
    for (const row of stored) storedById.set(row.id, (storedById.get(row.id) ?? 0) + 1);
    const byId = new Map(data.events.map((e) => [e.id, e]));
    const lost = [...accepted].filter((id) => !storedById.has(id));
    const doubled = [...storedById].filter(([, n]) => n > 1).length;
    const altered = stored.filter((row) => {
      const e = byId.get(row.id);
      return !e || e.subscriptionId !== row.subscription_id || e.quantity !== row.quantity || Math.floor(row.occurred_at.getTime() / 1000) !== e.at;
    }).length;
    pushCheck('accepted usage events lost (not stored)', lost.length, lost.slice(0, 5).join(', '));
    pushCheck('usage events stored more than once', doubled);
    pushCheck('stored usage events that differ from what was sent', altered);
    const deadLetters = await db.query<{ code: string; count: string }>('select code, count(*)::text as count from metering.dead_letter group by code');
    pushCheck('dead letters (none should exist: every event sent is valid)', deadLetters.reduce((n, r) => n + Number(r.count), 0), deadLetters.map((r) => `${r.code}: ${r.count}`).join(', '));

    pushCheck('billing run did not complete within the bound', runState?.status === 'completed' ? 0 : 1, runState ? `status ${runState.status}, ${runState.accountsBilled} accounts billed` : 'no answer');
    const expected = expectedBills(data, accepted);
    const bills = await db.query<{ id: string; account_id: string; total: string; paid_amount: string; outstanding_amount: string }>(
      `select id, account_id, total::text, paid_amount::text, outstanding_amount::text from billing.bill where period = $1 and account_id like $2`,
      [data.period, `${tag}%`],
    );
    const billCount = new Map<string, number>();
    for (const bill of bills) billCount.set(bill.account_id, (billCount.get(bill.account_id) ?? 0) + 1);
    const missingBills = [...expected.keys()].filter((a) => !billCount.has(a));
    const extraBills = [...billCount].filter(([a, n]) => n > 1 || !expected.has(a)).length;
    pushCheck('accounts without their bill for the month', missingBills.length, `${missingBills.length} of ${expected.size} expected bills missing`);
    pushCheck('second bills or bills that should not exist', extraBills);
    const lines = await db.query<{ account_id: string; subscription_id: string; quantity_days: string; list_amount: string; amount: string; kind: string }>(
      // quantity_days is bigint (#8.5): pg hands it over as a string
      `select b.account_id, l.subscription_id, l.quantity_days::text, l.list_amount::text, l.amount::text, l.kind
       from billing.bill_line l join billing.bill b on b.id = l.bill_id where b.period = $1 and b.account_id like $2`,
      [data.period, `${tag}%`],
    );
    const everyBill = await db.query<{ account_id: string; total: string; paid_amount: string }>(
      `select account_id, total::text, paid_amount::text from billing.bill where account_id like $1`,
      [`${tag}%`],
    );
    const billsOfAccount = new Map<string, { total: Decimal; paid: Decimal }>();
    for (const row of everyBill) {
      const sums = billsOfAccount.get(row.account_id) ?? { total: new Decimal(0), paid: new Decimal(0) };
      billsOfAccount.set(row.account_id, { total: sums.total.plus(row.total), paid: sums.paid.plus(row.paid_amount) });
    }
    let mismatches = 0;
    const mismatchExamples: string[] = [];
    const linesOf = new Map<string, typeof lines>();
    for (const line of lines) linesOf.set(line.account_id, [...(linesOf.get(line.account_id) ?? []), line]);
    for (const bill of bills) {
      const want = expected.get(bill.account_id) ?? [];
      const got = linesOf.get(bill.account_id) ?? [];
      const wantTotal = want.reduce((sum, l) => sum.plus(l.amount), new Decimal(0)).toFixed(2);
      const bad: string[] = [];
      if (bill.total !== wantTotal) bad.push(`total ${bill.total} != ${wantTotal}`);
      if (got.length !== want.length) bad.push(`${got.length} lines != ${want.length}`);
      for (const w of want) {
        const g = got.find((l) => l.subscription_id === w.subscriptionId);
        if (!g || g.kind !== 'usage' || Number(g.quantity_days) !== w.quantityDays || g.list_amount !== w.listAmount || g.amount !== w.amount) {
          bad.push(`${w.subscriptionId}: billed ${g ? `${g.quantity_days}/${g.list_amount}/${g.amount}` : 'nothing'}, expected ${w.quantityDays}/${w.listAmount}/${w.amount}`);
        }
      }
      // R7.4/R7.5: whatever the order of deductions and top-ups, an account's bills are paid, all
      // together, the smaller of its top-ups and their totals. The account may hold bills of other
      // months too: subscriptions enabled before the month are billed for the month before by the
      // scheduler's catch-up tick (#9.4), which may run before or after this month's run.
      const topUp = data.topUps.find((t) => t.accountId === bill.account_id);
      const all = billsOfAccount.get(bill.account_id) ?? { total: new Decimal(0), paid: new Decimal(0) };
      const wantPaid = Decimal.min(new Decimal(topUp?.amount ?? 0), all.total).toFixed(2);
      if (all.paid.toFixed(2) !== wantPaid) bad.push(`paid over all its bills ${all.paid.toFixed(2)} != ${wantPaid}`);
      if (bad.length > 0) {
        mismatches += 1;
        if (mismatchExamples.length < 5) mismatchExamples.push(`${bill.account_id}: ${bad.join(', ')}`);
      }
    }
    pushCheck('bills whose amounts differ from the independent computation (lines, total, paid)', mismatches, mismatchExamples.join('; '));

    const ledger = await db.query<{ id: string; balance: string; sum: string; negatives: string; topups: string; out: string }>(
      `select a.id, a.balance::text, coalesce(sum(e.amount), 0)::text as sum,
              count(*) filter (where e.balance_after < 0)::text as negatives,
              coalesce(sum(e.amount) filter (where e.type = 'top_up'), 0)::text as topups,
              coalesce(-sum(e.amount) filter (where e.type in ('deduction', 'settlement')), 0)::text as out
       from billing.account a left join billing.ledger_entry e on e.account_id = a.id
       where a.id like $1 group by a.id, a.balance`,
      [`${tag}%`],
    );
    const ledgerBad = ledger.filter(
      (r) => !new Decimal(r.balance).eq(r.sum) || Number(r.negatives) > 0 || new Decimal(r.balance).isNegative() || !new Decimal(r.topups).eq(new Decimal(r.balance).plus(r.out)),
    );
    pushCheck('ledger invariant broken (balance = sum of entries, never negative, top-ups = balance + deductions)', ledgerBad.length, ledgerBad.slice(0, 3).map((r) => `${r.id}: balance ${r.balance}, entries ${r.sum}`).join('; '));
    // #11: the bills' tally by currency (what the metrics scrape reads) equals the bills, crashes included
    const tallyBad = await db.query<{ currency: string; bills: string | null; tallied: string | null }>(
      `select coalesce(b.currency, t.currency) as currency, b.bills::text as bills, t.bills::text as tallied
         from (select currency, count(*) as bills, sum(total) as total from billing.bill group by currency) b
         full join (select currency, sum(bills) as bills, sum(total) as total from billing.bill_tally group by currency) t on t.currency = b.currency
        where b.bills is distinct from t.bills or b.total is distinct from t.total`,
    );
    pushCheck('bills whose tally by currency (the metrics scrape\'s source) differs from the bills', tallyBad.length, tallyBad.map((r) => `${r.currency}: ${r.bills} bills, ${r.tallied} tallied`).join('; '));
    const outboxSchemas = await db.query<{ table_schema: string }>("select table_schema from information_schema.tables where table_name = 'outbox'");
    let unpublished = 0;
    const unpublishedDetail: string[] = [];
    for (const { table_schema: schema } of outboxSchemas) {
      const [row] = await db.query<{ count: string }>(`select count(*)::text as count from "${schema}".outbox where published_at is null`);
      unpublished += Number(row.count);
      unpublishedDetail.push(`${schema}: ${row.count}`);
    }
    pushCheck('outbox rows left unpublished', unpublished, unpublishedDetail.join(', '));
    const notRecovered = s.faults.filter((f) => f.recoveredMs === null);
    pushCheck('faults after which the stack did not recover by itself (all /health 200 and request/reply answering) within the bound', notRecovered.length + (finalRecovery === null ? 1 : 0), [...notRecovered.map((f) => `${f.phase}: ${f.fault} (${f.detail ?? ''})`), ...(finalRecovery === null ? [`final check (${s.lastFailure})`] : [])].join('; '));
    pushCheck('/health answered 200 while NATS or PostgreSQL was down', s.healthyWhileDown.length, s.healthyWhileDown.join(', '));
    pushCheck('every /health answered 200 while request/reply did not answer (after a fault, at the bound)', s.healthyWhileBroken.length, `${s.healthyWhileBroken.length} time(s)`);

    const summary = {
      events: data.events.length,
      accepted: accepted.size,
      stored: stored.length,
      bills: bills.length,
      expectedBills: expected.size,
      lines: lines.length,
    };
    await s.stop();
    await nats.kill();

    // ------------------------------------------------ phase 4: three-node JetStream cluster, R3 streams
    say('phase 4: three-node JetStream cluster, streams with 3 replicas, one node killed mid-ingestion');
    const phase4Start = Date.now();
    await Promise.all(cluster.map((node) => node.start()));
    const servers = cluster.map((node) => node.url);
    await waitJetStream(servers, 60_000);
    const r3Url = pg.url('cec_chaos_r3');
    const clusterEnv = { NATS_URL: servers.join(','), NATS_STREAM_REPLICAS: '3' };
    const r3 = new Stack(pg, cluster[0], r3Url, config, random);
    clusterStack = r3;
    const baseEnv = r3.env.bind(r3);
    r3.env = () => ({ ...baseEnv(), ...clusterEnv });
    await runCli('metering', 'migrate', r3.env(), join(logs, 'migrate-metering-r3.log'));
    for (let i = 0; i < 2; i += 1) {
      const replica = new AppReplica('metering', i, PORTS.http + 21 + i, r3.env(), join(logs, `metering-r3-${i + 1}.log`));
      replica.start();
      r3.replicas.push(replica);
    }
    const r3Up = await Promise.all(r3.replicas.map(async (r) => (await waitPort(r.port, 90_000)) && (await waitHealth(r.port, 90_000))));
    if (r3Up.some((ok) => !ok)) throw new Error(`metering on the cluster did not come up (logs in ${logs})`);
    const r3Db = new Db(r3Url);
    const clusterRandom = prng(args.seed ^ 0xc1);
    const clusterTag = `chaos-r3-s${args.seed}-`;
    const subscriptions: SubscriptionChangedEvent[] = Array.from({ length: config.cluster.subscriptions }, (_, i) => ({
      id: `${clusterTag}subevt-${i}`,
      occurredAt: iso(data.monthStart - 86400),
      subscriptionId: `${clusterTag}sub-${i}`,
      accountId: `${clusterTag}acc-${i}`,
      kind: 'enabled',
      effectiveAt: iso(data.monthStart - 86400),
      sequence: 1,
      productCode: data.products[0].code,
      quantity: 1,
      billingMode: 'pay_per_use',
      status: 'active',
      enabledAt: iso(data.monthStart - 86400),
      cancelledAt: null,
    }));
    const clusterPublisher = await connect({ servers, maxReconnectAttempts: -1, reconnectTimeWait: 250, name: 'chaos-cluster-publisher' });
    const subsAccepted = new Set<string>();
    await publishAll(clusterPublisher, SUBJECTS.subscriptionChanged, subscriptions.map((m) => ({ id: m.id, payload: m })), bound, subsAccepted);
    const r3Subs = await waitCountDb(r3Db, 'select count(*) from metering.subscription where id like $1', [`${clusterTag}sub-%`], subscriptions.length, bound);
    const clusterEvents = Array.from({ length: config.cluster.events }, (_, i) => ({
      id: `${clusterTag}ev-${i}`,
      payload: {
        id: `${clusterTag}ev-${i}`,
        subscriptionId: `${clusterTag}sub-${i % subscriptions.length}`,
        quantity: Math.floor(clusterRandom() * 50),
        timestamp: iso(data.monthStart + Math.floor(clusterRandom() * data.daysInMonth * 86400)),
      },
    }));
    const clusterAccepted = new Set<string>();
    const victim = cluster[Math.floor(clusterRandom() * cluster.length)];
    const killAfter = Math.floor(config.cluster.events * (0.2 + clusterRandom() * 0.4));
    let victimDownMs = 0;
    await Promise.all([
      publishAll(clusterPublisher, SUBJECTS.usageReported, clusterEvents, bound, clusterAccepted),
      (async () => {
        while (clusterAccepted.size < killAfter) await sleep(20);
        say(`  kill -9 ${victim.options.name} after ${clusterAccepted.size} accepted events`);
        const downAt = Date.now();
        await victim.kill();
        await sleep(5000);
        await victim.start();
        victimDownMs = Date.now() - downAt;
      })(),
    ]);
    await clusterPublisher.close();
    const r3Stored = await waitCountDb(r3Db, 'select count(*) from metering.usage_event where id like $1', [`${clusterTag}ev-%`], clusterAccepted.size, bound);
    const r3Rows = await r3Db.query<{ id: string }>('select id from metering.usage_event where id like $1', [`${clusterTag}ev-%`]);
    const r3Ids = new Set(r3Rows.map((r) => r.id));
    const r3Lost = [...clusterAccepted].filter((id) => !r3Ids.has(id));
    const [r3Dead] = await r3Db.query<{ count: string }>('select count(*)::text as count from metering.dead_letter');
    // the node killed and started again may still be catching up (its JetStream API answers nothing
    // meanwhile): asked again, on any node, for up to a minute
    const streamReplicas = await (async () => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const nc = await connect({ servers });
        try {
          const jsm = await nc.jetstreamManager({ timeout: 10_000 });
          return (await jsm.streams.info('USAGE')).config.num_replicas;
        } catch (error) {
          if (Date.now() > deadline) throw error;
          say(`  stream info not answered yet (${error instanceof Error ? error.message : String(error)}); asking again`);
          await sleep(2000);
        } finally {
          await nc.close();
        }
      }
    })();
    await r3Db.end();
    timings['phase 4 (cluster)'] = Date.now() - phase4Start;
    pushCheck('cluster: USAGE stream not replicated 3 times', streamReplicas === 3 ? 0 : 1, `num_replicas ${streamReplicas}`);
    pushCheck('cluster: subscriptions metering never learnt', subscriptions.length - r3Subs, `${r3Subs}/${subscriptions.length}`);
    pushCheck('cluster: usage events never accepted', clusterEvents.length - clusterAccepted.size, `${clusterAccepted.size}/${clusterEvents.length}`);
    pushCheck('cluster: accepted usage events lost after a node was killed', r3Lost.length, `stored ${r3Stored}; ${r3Lost.slice(0, 5).join(', ')}`);
    pushCheck('cluster: usage events stored more than once', r3Rows.length - r3Ids.size);
    pushCheck('cluster: dead letters', Number(r3Dead.count));

    const report = renderReport(args, config, data, summary, s.faults, checks, timings, { victim: victim.options.name, downMs: victimDownMs, events: clusterEvents.length, accepted: clusterAccepted.size });
    process.stdout.write(`\n${report}\n`);
    if (args.report) {
      writeFileSync(args.report, `${RELIABILITY_INTRO}\n${report}`);
      say(`written to ${args.report}`);
    }
  } finally {
    await stack?.stop().catch(() => undefined);
    await clusterStack?.stop().catch(() => undefined);
    await db.end();
    await nats.kill();
    for (const node of cluster) await node.kill();
    await pg.destroy().catch(() => undefined);
  }
  const failed = checks.filter((c) => c.count !== 0);
  say(failed.length === 0 ? `PASSED: all ${checks.length} checks are 0` : `FAILED: ${failed.length} of ${checks.length} checks are not 0:\n${failed.map((c) => `  - ${c.name}: ${c.count}${c.detail ? ` (${c.detail})` : ''}`).join('\n')}`);
  process.exit(failed.length === 0 ? 0 : 1);
}

async function waitHealth(port: number, boundMs: number): Promise<boolean> {
  const deadline = Date.now() + boundMs;
  while (Date.now() < deadline) {
    if ((await health(port)) === 200) return true;
    await sleep(300);
  }
  return false;
}

async function waitCountDb(db: Db, sql: string, params: unknown[], expected: number, boundMs: number): Promise<number> {
  const deadline = Date.now() + boundMs;
  let count = 0;
  while (Date.now() < deadline) {
    try {
      count = Number((await db.query<{ count: string }>(sql, params))[0].count);
      if (count >= expected) return count;
    } catch {
      // PostgreSQL restarting
    }
    await sleep(500);
  }
  return count;
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}

const RELIABILITY_INTRO = `# Reliability: the fault-injection suite

Written by \`npm run chaos\` (tools/chaos/chaos.ts, large configuration); \`npm test\` runs the small
configuration (\`npm run test:chaos\`) as its last step. The suite starts a private stack of its own: a
PostgreSQL cluster made with initdb on port 17432 (database \`cec_chaos\`), a nats-server on 17222 with
its own store, catalog and subscription once, metering and billing twice (each replica its own
process and port, 17001-17006). It loads a seeded data set through the platform's own paths (accounts
and subscriptions through REST, usage on \`usage.reported\` with Nats-Msg-Id and through REST, a
report on every day of the last ended month for every subscription, discounts, top-ups), and while
it works it kills every app with \`kill -9\` at seeded moments and restarts it, kills nats-server and
restarts it on the same store after a short and a long outage, and stops PostgreSQL (\`pg_ctl stop -m
immediate\`) and restarts it the same way. After each fault it measures how long until every app's
\`/health\` is 200 and request/reply between apps answers again. Then it runs a three-node JetStream
cluster (streams with \`NATS_STREAM_REPLICAS=3\`, \`NATS_URL\` listing the three servers) with two metering
replicas and kills one node mid-ingestion.

Every check is a count and must be 0. Expected bills are computed by the suite itself from the data
it sent (R4.1 daily maximum, R4.2/R5.2 price and discount of the day, R4.3/R4.4 exact decimals
rounded half away from zero), not by the platform's rating code. Flags: \`--size small|large\`,
\`--seed N\`, \`--accounts N\`, \`--report FILE\`; logs of every process in \`$TMPDIR/cec-chaos/logs\`.
`;

function renderReport(
  args: ReturnType<typeof parseArgs>,
  config: SizeConfig,
  data: ChaosData,
  summary: { events: number; accepted: number; stored: number; bills: number; expectedBills: number; lines: number },
  faults: FaultRecord[],
  checks: Check[],
  timings: Record<string, number>,
  cluster: { victim: string; downMs: number; events: number; accepted: number },
): string {
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  const kills = faults.filter((f) => f.fault.startsWith('kill')).length;
  const natsFaults = faults.filter((f) => f.fault.startsWith('NATS')).length;
  const pgFaults = faults.filter((f) => f.fault.startsWith('PostgreSQL')).length;
  const s = (ms: number | null, boundMs: number): string => (ms === null ? `**not within ${boundMs / 1000} s**` : `${(ms / 1000).toFixed(1)} s`);
  const failed = checks.filter((c) => c.count !== 0).length;
  return `## Fault-injection run (${args.size} configuration, seed ${args.seed}) on commit ${commit}, ${new Date().toISOString().slice(0, 16)}Z

${data.accounts.length} accounts, ${data.subscriptions.length} subscriptions (REST), ${summary.events} usage events over every day of ${data.period}
(${data.events.filter((e) => e.via === 'nats').length} on \`usage.reported\` with Nats-Msg-Id, the rest through \`POST /v1/usage-events\`),
${data.discounts.length} discounts, ${data.topUps.length} top-ups; two replicas of billing and of metering, one of catalog and subscription.
Long outages ${config.longOutageMs / 1000} s${config.longOutagesInIngestion ? ' (mid-ingestion and mid-run)' : ' (mid-run)'}, short ones 1 s; recovery bound ${config.recoveryBoundMs / 1000} s
(20 s for the faults that follow one the stack did not recover from).

| figure | count |
| --- | ---: |
| kill -9 of an app | ${kills} |
| NATS restarts (kill -9, same store) | ${natsFaults} (+1 cluster node) |
| PostgreSQL faults (stop -m immediate, restart) | ${pgFaults} |
| usage events sent / accepted / stored | ${summary.events} / ${summary.accepted} / ${summary.stored} |
| bills issued / expected | ${summary.bills} / ${summary.expectedBills} |
| bill lines | ${summary.lines} |
| cluster phase: events accepted / sent; node killed | ${cluster.accepted} / ${cluster.events}; ${cluster.victim} (down ${(cluster.downMs / 1000).toFixed(1)} s) |

### Checks (each must be 0) — ${failed === 0 ? '**all passed**' : `**${failed} failed**`}

| check | count | detail |
| --- | ---: | --- |
${checks.map((c) => `| ${c.name} | ${c.count === 0 ? '0' : `**${c.count}**`} | ${c.detail.replace(/\|/g, '/').slice(0, 300)} |`).join('\n')}

### Faults and time to recover (restart until every /health is 200 and request/reply answers)

| phase | fault | outage | recovered after | still wrong at the bound |
| --- | --- | ---: | ---: | --- |
${faults.map((f) => `| ${f.phase} | ${f.fault} | ${(f.outageMs / 1000).toFixed(1)} s | ${s(f.recoveredMs, f.boundMs)} | ${f.recoveredMs === null ? (f.detail ?? '') : ''} |`).join('\n')}

Phase durations: ${Object.entries(timings)
    .map(([k, v]) => `${k} ${(v / 1000).toFixed(0)} s`)
    .join('; ')}.
`;
}

main().catch((error: unknown) => {
  say(`suite error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(2);
});
