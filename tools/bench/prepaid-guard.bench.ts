/**
 * Issue 10: prepaid guard latency, from a `usage.reported` event published to JetStream to the
 * account's guard updated in billing (`billing.account_guard.accrued_this_period` reflects it):
 * usage.reported → metering (commit + outbox row) → relay → `metering.usage.changed` → billing's
 * consumer (marks the account) → the guard worker (claims the mark, re-rates the running month over
 * RPC, stores accrued, guard state, events).
 *
 * Measured UNDER INGESTION LOAD: while the samples are taken, a load generator streams
 * `usage.reported` events at a steady rate (GUARD_BENCH_LOAD_RATE per second, default 5,000) to
 * GUARD_BENCH_LOAD_SUBSCRIPTIONS other subscriptions (default 2,000, one account each), which
 * metering stores and which mark their accounts for the guard too: the measured accounts compete
 * with the load for metering, the outbox relay, billing's consumer and the guard worker.
 *
 * Measured: GUARD_BENCH_ACCOUNTS accounts (default 100) with one subscription each (basic-cec,
 * quantity 1 from the 1st of the month); GUARD_BENCH_ROUNDS rounds (default 10), each publishing
 * one usage event per measured account at once (a higher quantity each round, so today's quantity,
 * and the accrued charge, grows with every event); a sample ends at the first poll (every 20 ms)
 * that sees the account's accrued change.
 *
 * `npm run bench` runs it as its section 3 (`BENCH_ONLY=guard`); alone: `E2E_STACK_NAME=e0
 * E2E_DATABASE=cec_e2e_0 E2E_NATS_PORT=15022 E2E_BASE_PORT=15000 node tools/run-ts.js
 * tools/bench/prepaid-guard.bench.ts` (starts and stops its own private stack).
 */
import { execSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { connect, JetStreamClient } from 'nats';
import { Client } from 'pg';
import { DateTime } from 'luxon';
import { AccountCreatedEvent, SUBJECTS, SubscriptionChangedEvent, UsageReportedMessage } from '@cec/contracts';
import { E2E_STACK, StackInfo, startStack, stopStack } from '../stack/private-stack';

const encoder = new TextEncoder();

export interface GuardBenchOptions {
  /** Accounts whose latency is measured. */
  accounts: number;
  rounds: number;
  /** Usage events per second streamed to other subscriptions while measuring (0: no load). */
  loadRate: number;
  loadSubscriptions: number;
}

export interface GuardBenchResult extends GuardBenchOptions {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Load events published per second while the samples were taken (what the generator achieved). */
  loadPublishedPerSecond: number;
  /** Load events metering committed per second over the same window. */
  loadCommittedPerSecond: number;
  /**
   * Where a sample's time goes (p50 per stage, ms, wall clock of this machine): publish → metering
   * took the event (`usage_event.received_at`, stamped when its batch is handled); → the guard
   * rated the account (`account_guard.computed_at`: metering's commit, the outbox relay,
   * `metering.usage.changed`, billing's consumer, the guard's queue and its batch); → the bench's
   * poll saw it.
   */
  stagesP50Ms: { metering: number; guard: number; seen: number };
  /** Marked accounts waiting for the guard (guard_dirty rows), sampled at each poll: median and max. */
  guardQueue: { p50: number; max: number };
  /**
   * The guard's batches while sampling, from billing's `cec_billing_guard_batch_seconds` (the
   * difference of two scrapes): batches, accounts per batch, and mean ms per stage.
   */
  batches: { count: number; accountsPerBatch: number; meanMs: Record<string, number> };
  markdown: string;
}

export function guardBenchOptionsFromEnv(): GuardBenchOptions {
  const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
  return {
    accounts: env('GUARD_BENCH_ACCOUNTS', 100),
    rounds: env('GUARD_BENCH_ROUNDS', 10),
    loadRate: env('GUARD_BENCH_LOAD_RATE', 5000),
    loadSubscriptions: env('GUARD_BENCH_LOAD_SUBSCRIPTIONS', 2000),
  };
}

/** Billing's guard metrics (sums and counts of `cec_billing_guard_batch_seconds` by stage, accounts rated). */
async function guardScrape(info: StackInfo): Promise<Map<string, number>> {
  const response = await fetch(`http://127.0.0.1:${info.ports.billing}/metrics`, { headers: { authorization: `Bearer ${info.token}` } });
  const text = await response.text();
  const values = new Map<string, number>();
  for (const match of text.matchAll(/^cec_billing_guard_batch_seconds_(sum|count)\{stage="(\w+)"\} (\S+)$/gm)) values.set(`${match[1]}:${match[2]}`, Number(match[3]));
  const rated = /^cec_billing_guard_accounts_rated_total (\S+)$/m.exec(text);
  if (rated) values.set('rated', Number(rated[1]));
  return values;
}

function median(values: readonly number[]): number {
  return values.length === 0 ? 0 : percentile([...values].sort((a, b) => a - b), 50);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function waitUntil(probe: () => Promise<boolean>, what: string, timeoutMs = 300_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await probe())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
}

async function count(db: Client, sql: string, parameters: unknown[]): Promise<number> {
  return Number((await db.query<{ count: string }>(sql, parameters)).rows[0].count);
}

/** Accounts with one basic-cec subscription each (quantity 1 from the 1st), through JetStream. */
async function createAccounts(js: JetStreamClient, db: Client, prefix: string, total: number, monthStart: DateTime): Promise<Array<{ accountId: string; subscriptionId: string }>> {
  const accounts = Array.from({ length: total }, (_, i) => ({ accountId: `${prefix}acc-${i}`, subscriptionId: `${prefix}sub-${i}` }));
  const at = monthStart.toISO() as string;
  for (let start = 0; start < accounts.length; start += 500) {
    await Promise.all(
      accounts.slice(start, start + 500).map(({ accountId }) => {
        const event: AccountCreatedEvent = { id: `evt-${accountId}`, occurredAt: at, accountId, name: accountId, currency: 'USD' };
        return js.publish(SUBJECTS.accountCreated, encoder.encode(JSON.stringify(event)), { msgID: event.id });
      }),
    );
  }
  for (let start = 0; start < accounts.length; start += 500) {
    await Promise.all(
      accounts.slice(start, start + 500).map(({ accountId, subscriptionId }) => {
        const event: SubscriptionChangedEvent = {
          id: `evt-${subscriptionId}`, occurredAt: at, subscriptionId, accountId, kind: 'enabled', effectiveAt: at, sequence: 1,
          productCode: 'basic-cec', quantity: 1, billingMode: 'pay_per_use', status: 'active', enabledAt: at, cancelledAt: null,
        };
        return js.publish(SUBJECTS.subscriptionChanged, encoder.encode(JSON.stringify(event)), { msgID: event.id });
      }),
    );
  }
  const like = `${prefix}acc-%`;
  await waitUntil(async () => (await count(db, 'select count(*) from billing.account where id like $1', [like])) === total, `${total} billing accounts ${prefix}*`);
  // each subscription change marks its account: wait until every one was rated once
  await waitUntil(
    async () => (await count(db, 'select count(*) from billing.account_guard where account_id like $1 and accrued_this_period > 0', [like])) === total,
    `every ${prefix}* account rated after its subscription`,
  );
  return accounts;
}

/**
 * A steady stream of usage events (`rate` per second, in 50 ms ticks) over `subscriptions`, each
 * event a new quantity at a new id, until stopped. Answers how many it published.
 */
function startLoad(js: JetStreamClient, subscriptions: readonly string[], rate: number, run: string): { stop: () => Promise<number> } {
  let published = 0;
  let stopped = false;
  const perTick = Math.max(1, Math.round(rate / 20));
  const loop = (async () => {
    let next = performance.now();
    let index = 0;
    while (!stopped && subscriptions.length > 0 && rate > 0) {
      const timestamp = DateTime.now().setZone('UTC+8').minus({ seconds: 1 }).toISO() as string;
      const batch: Array<Promise<unknown>> = [];
      for (let i = 0; i < perTick; i += 1) {
        const subscriptionId = subscriptions[index % subscriptions.length];
        const event: UsageReportedMessage = { id: `load-${run}-${index}`, subscriptionId, quantity: 1 + (index % 7), timestamp };
        batch.push(js.publish(SUBJECTS.usageReported, encoder.encode(JSON.stringify(event)), { msgID: event.id }));
        index += 1;
      }
      await Promise.all(batch);
      published += perTick;
      next += 50;
      const wait = next - performance.now();
      if (wait > 0) await new Promise((resolveWait) => setTimeout(resolveWait, wait));
      else next = performance.now(); // behind: the generator publishes as fast as it can
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return published;
    },
  };
}

/** Runs the measurement against a running private stack (its apps, NATS and database). */
export async function benchGuardLatency(info: StackInfo, options: GuardBenchOptions): Promise<GuardBenchResult> {
  const nc = await connect({ servers: info.natsUrl });
  const js = nc.jetstream();
  const db = new Client({ connectionString: info.databaseUrl });
  await db.connect();
  try {
    const run = Date.now().toString(36);
    const monthStart = DateTime.now().setZone('UTC+8').startOf('month');
    process.stdout.write(`  guard: ${options.accounts} measured accounts, ${options.loadSubscriptions} load subscriptions…\n`);
    const accounts = await createAccounts(js, db, `g${run}-`, options.accounts, monthStart);
    const load = options.loadRate > 0 && options.loadSubscriptions > 0 ? await createAccounts(js, db, `l${run}-`, options.loadSubscriptions, monthStart) : [];
    const like = `g${run}-acc-%`;
    const accruedNow = async (): Promise<Map<string, string>> =>
      new Map((await db.query<{ account_id: string; accrued: string }>(`select account_id, accrued_this_period::text as accrued from billing.account_guard where account_id like $1`, [like])).rows.map((row) => [row.account_id, row.accrued]));
    const loadEvents = async (): Promise<number> => count(db, 'select count(*) from metering.usage_event where id like $1', [`load-${run}-%`]);

    const loadBefore = loadavg()[0];
    const scrapeBefore = await guardScrape(info);
    const generator = startLoad(js, load.map((entry) => entry.subscriptionId), options.loadRate, run);
    const windowStart = performance.now();
    const committedBefore = load.length > 0 ? await loadEvents() : 0;
    // let the load reach a steady state before the first sample
    await new Promise((resolveWait) => setTimeout(resolveWait, load.length > 0 ? 3000 : 0));
    const samples: number[] = [];
    const stages = { metering: [] as number[], guard: [] as number[], seen: [] as number[] };
    const queue: number[] = [];
    let published = 0;
    let committedAfter = committedBefore;
    try {
      for (let round = 0; round < options.rounds; round += 1) {
        const before = await accruedNow();
        const timestamp = DateTime.now().setZone('UTC+8').minus({ seconds: 2 }).toISO() as string;
        const sent = new Map<string, number>();
        const sentWall = new Map<string, number>();
        const seenWall = new Map<string, number>();
        await Promise.all(
          accounts.map(async ({ accountId, subscriptionId }) => {
            const event: UsageReportedMessage = { id: `gu-${run}-${round}-${subscriptionId}`, subscriptionId, quantity: 2 + round, timestamp };
            sent.set(accountId, performance.now());
            sentWall.set(accountId, Date.now());
            await js.publish(SUBJECTS.usageReported, encoder.encode(JSON.stringify(event)), { msgID: event.id });
          }),
        );
        const pending = new Set(accounts.map((account) => account.accountId));
        const deadline = performance.now() + 180_000;
        while (pending.size > 0) {
          if (performance.now() > deadline) throw new Error(`round ${round}: ${pending.size} accounts not updated`);
          const now = await accruedNow();
          const seenAt = performance.now();
          const seenAtWall = Date.now();
          for (const accountId of [...pending]) {
            if (now.get(accountId) !== before.get(accountId)) {
              samples.push(seenAt - (sent.get(accountId) as number));
              seenWall.set(accountId, seenAtWall);
              pending.delete(accountId);
            }
          }
          queue.push(await count(db, 'select count(*) from billing.guard_dirty', []));
          if (pending.size > 0) await new Promise((resolveWait) => setTimeout(resolveWait, 20));
        }
        // the stages of this round's samples, from the rows' own timestamps
        const stamps = await db.query<{ account_id: string; received: string; computed: string }>(
          `select s.account_id, (extract(epoch from u.received_at) * 1000)::float8::text as received, (extract(epoch from g.computed_at) * 1000)::float8::text as computed
             from metering.usage_event u join metering.subscription s on s.id = u.subscription_id
             join billing.account_guard g on g.account_id = s.account_id
            where u.id like $1`,
          [`gu-${run}-${round}-%`],
        );
        for (const row of stamps.rows) {
          const sentAt = sentWall.get(row.account_id);
          const seenAt = seenWall.get(row.account_id);
          if (sentAt === undefined || seenAt === undefined) continue;
          stages.metering.push(Number(row.received) - sentAt);
          stages.guard.push(Number(row.computed) - Number(row.received));
          stages.seen.push(seenAt - Number(row.computed));
        }
        process.stdout.write(`  guard round ${round + 1}/${options.rounds}: ${options.accounts} accounts updated\n`);
      }
    } finally {
      published = await generator.stop();
      if (load.length > 0) committedAfter = await loadEvents();
    }
    const windowSeconds = (performance.now() - windowStart) / 1000;
    const scrapeAfter = await guardScrape(info);
    const delta = (key: string): number => (scrapeAfter.get(key) ?? 0) - (scrapeBefore.get(key) ?? 0);
    const batchCount = delta('count:total');
    const meanMs: Record<string, number> = {};
    for (const stage of ['usage', 'rates', 'rating', 'store', 'total']) {
      const n = delta(`count:${stage}`);
      meanMs[stage] = n > 0 ? Math.round((delta(`sum:${stage}`) / n) * 1000) : 0;
    }
    samples.sort((a, b) => a - b);
    const fmt = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
    const result = {
      ...options,
      samples: samples.length,
      p50Ms: Math.round(percentile(samples, 50)),
      p99Ms: Math.round(percentile(samples, 99)),
      maxMs: Math.round(samples[samples.length - 1]),
      loadPublishedPerSecond: published / windowSeconds,
      loadCommittedPerSecond: (committedAfter - committedBefore) / windowSeconds,
      stagesP50Ms: {
        metering: Math.round(median(stages.metering)),
        guard: Math.round(median(stages.guard)),
        seen: Math.round(median(stages.seen)),
      },
      guardQueue: { p50: Math.round(median(queue)), max: Math.max(0, ...queue) },
      batches: { count: batchCount, accountsPerBatch: batchCount > 0 ? delta('rated') / batchCount : 0, meanMs },
    };
    const commit = (() => {
      try {
        return execSync('git rev-parse --short HEAD', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      } catch {
        return 'unknown';
      }
    })();
    const markdown = `## 3. Prepaid guard: usage event → guard updated, under ingestion load (issue 10)

Measured ${new Date().toISOString()} at commit ${commit}; load average (1 min) of this 2-core machine
${fmt(loadBefore, 2)} when sampling started, ${fmt(loadavg()[0], 2)} when it ended (the load generator, the
apps, PostgreSQL and NATS included).

${fmt(result.accounts)} measured accounts, one Basic CEC subscription each; ${fmt(result.rounds)} rounds, each
publishing one \`usage.reported\` event per measured account at once (a new quantity, so the
accrued charge changes). A sample runs from the publish to the first poll (every 20 ms) of
\`billing.account_guard\` that shows the account's new accrued charge: metering's commit and outbox,
the relay, \`metering.usage.changed\`, billing's consumer marking the account, and the guard worker
claiming it and re-rating its running month (one metering and one catalog request per batch).
Meanwhile a load generator streamed usage events to ${fmt(result.loadSubscriptions)} other subscriptions
(their accounts are re-rated by the guard too), aiming at ${fmt(result.loadRate)} events/s.

| | figure |
| --- | ---: |
| samples | ${fmt(result.samples)} |
| **p50 event → guard updated** | **${fmt(result.p50Ms)} ms** |
| **p99 event → guard updated** | **${fmt(result.p99Ms)} ms** |
| max | ${fmt(result.maxMs)} ms |
| load published (achieved) | ${fmt(result.loadPublishedPerSecond)} events/s |
| load committed by metering over the same window | ${fmt(result.loadCommittedPerSecond)} events/s |
| p50 of the stages: publish → metering took it / → guard rated it / → seen by the poll | ${fmt(result.stagesP50Ms.metering)} / ${fmt(result.stagesP50Ms.guard)} / ${fmt(result.stagesP50Ms.seen)} ms |
| accounts waiting for the guard (guard_dirty), median / max while sampling | ${fmt(result.guardQueue.p50)} / ${fmt(result.guardQueue.max)} |
| guard batches while sampling (\`cec_billing_guard_batch_seconds\`), accounts per batch | ${fmt(result.batches.count)}, ${fmt(result.batches.accountsPerBatch, 1)} |
| mean ms per batch: usage (metering's answer) / rates / rating / store / total | ${['usage', 'rates', 'rating', 'store', 'total'].map((stage) => fmt(result.batches.meanMs[stage] ?? 0)).join(' / ')} |

How to read it: the guard's own tick is 1 s and a poke from billing's consumer starts a pass after
25 ms, so what a sample waits for is the guard's queue. The load keeps its ${fmt(result.loadSubscriptions)} accounts
marked all the time; marks are served oldest first, so a measured account waits until the accounts
marked before it are re-rated: about the queue's length divided by the guard's rate (accounts per
batch over the mean batch time). Each batch is one metering request for its accounts' month of
usage, one catalog and one discounts read, the pure rating, and one transaction for the batch.`;
    return { ...result, markdown };
  } finally {
    await db.end();
    await nc.close();
  }
}

async function main(): Promise<void> {
  const info = await startStack({ ...E2E_STACK, billingTestClock: false });
  try {
    const result = await benchGuardLatency(info, guardBenchOptionsFromEnv());
    process.stdout.write(`prepaid guard: event → guard updated ${JSON.stringify({ ...result, markdown: undefined })}\n`);
  } finally {
    await stopStack();
  }
}

// run directly (node tools/run-ts.js tools/bench/prepaid-guard.bench.ts), not when imported by bench.ts
if (process.argv[1] && resolve(process.argv[1]) === __filename) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
}
