/**
 * `npm run bench`: the two benchmarks of the platform, each beside its baseline measured in the
 * same run, written into BENCHMARKS.md with the machine, the date and the commands.
 *
 *   BENCH_EVENTS (default 1,000,000)  BENCH_SUBSCRIPTIONS (10,000)  BENCH_ACCOUNTS (100,000)
 *   BENCH_ONLY=ingestion|billing      BENCH_SEED (42)
 */
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { startStack, stopStack, PrivateStackOptions } from '../stack/private-stack';
import { benchBaselineIngestion, benchPlatformIngestion, IngestionResult } from './ingestion.bench';
import { benchBillingRun, BillingRunResult } from './billing-run.bench';
import { startupSectionOf } from './startup-section';

const root = join(__dirname, '..', '..');
const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const EVENTS = env('BENCH_EVENTS', 1_000_000);
const SUBSCRIPTIONS = env('BENCH_SUBSCRIPTIONS', 10_000);
const ACCOUNTS = env('BENCH_ACCOUNTS', 100_000);
const SEED = env('BENCH_SEED', 42);
const ONLY = process.env['BENCH_ONLY'];

// BENCH_NATS_PORT / BENCH_BASE_PORT / BENCH_DATABASE let two checkouts benchmark side by side.
const STACK: PrivateStackOptions = {
  name: process.env['BENCH_STACK_NAME'] ?? 'bench',
  natsPort: env('BENCH_NATS_PORT', 15222),
  basePort: env('BENCH_BASE_PORT', 15000),
  database: process.env['BENCH_DATABASE'] ?? 'cec_billing_bench',
  billingTestClock: false,
};

function sh(command: string): string {
  try {
    return execSync(command, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

const fmt = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const sections: string[] = [];
  let ingestion: { platform: IngestionResult; baseline: IngestionResult } | null = null;
  let billing: BillingRunResult | null = null;

  if (!ONLY || ONLY === 'ingestion') {
    process.stdout.write(`ingestion: ${fmt(EVENTS)} events over ${fmt(SUBSCRIPTIONS)} subscriptions\n`);
    const info = await startStack({ ...STACK, name: `${STACK.name}-ingestion` });
    try {
      process.stdout.write('  baseline (JetStream publish, pull, COPY into a bare table)…\n');
      const baseline = await benchBaselineIngestion(info.natsUrl, info.databaseUrl, EVENTS, SUBSCRIPTIONS, SEED + 1);
      process.stdout.write(`  baseline: ${fmt(baseline.eventsPerSecond)} events/s\n  platform (usage.reported → metering)…\n`);
      const platform = await benchPlatformIngestion(info.natsUrl, info.databaseUrl, EVENTS, SUBSCRIPTIONS, SEED);
      process.stdout.write(`  platform: ${fmt(platform.eventsPerSecond)} events/s\n`);
      ingestion = { platform, baseline };
    } finally {
      await stopStack();
    }
  }

  if (!ONLY || ONLY === 'billing') {
    process.stdout.write(`billing run: ${fmt(ACCOUNTS)} accounts with two subscriptions each\n`);
    const info = await startStack({ ...STACK, name: `${STACK.name}-billing` });
    try {
      billing = await benchBillingRun(info, ACCOUNTS, SEED);
      process.stdout.write(`  platform: ${fmt(billing.accountsPerSecond)} accounts/s; baseline SQL: ${fmt(billing.baseline.seconds, 2)} s\n`);
    } finally {
      await stopStack();
    }
  }

  sections.push(`# Benchmarks

Written by \`npm run bench\` (tools/bench/) on ${startedAt}. Reproduce with \`npm run bench\`
(\`BENCH_ONLY=ingestion|billing\`, \`BENCH_EVENTS\`, \`BENCH_SUBSCRIPTIONS\`, \`BENCH_ACCOUNTS\`,
\`BENCH_SEED\` to vary it). Each benchmark starts a private stack (its own nats-server with
JetStream, its own database, the four apps started as \`npm start\` starts them), and measures its
baseline in the same run on the same machine. Data is generated from a seeded PRNG
(seed ${SEED}), so every run sees the same events, accounts and timelines.

## Machine
- CPU: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}; memory ${fmt(totalmem() / 2 ** 30, 1)} GiB
- Node ${process.version}; ${sh('psql --version')}; ${sh('nats-server --version')}
- PostgreSQL, NATS, the apps and the load generator all on this one machine
- commit ${sh(`git -C ${root} rev-parse --short HEAD`)}`);

  if (ingestion) {
    const { platform, baseline } = ingestion;
    sections.push(`## 1. Ingestion: usage events from \`usage.reported\` to committed rows

${fmt(platform.events)} events over ${fmt(SUBSCRIPTIONS)} subscriptions, published onto the stream's
subject as fast as the load generator can (plain NATS publishes flushed every 5,000, with
\`Nats-Msg-Id\` set to the event id), while the consumer drains them.

| | events/s (publish start → last event committed) | seconds | p50 latency | p99 latency |
| --- | ---: | ---: | ---: | ---: |
| **platform** (metering app: pull consumer, validation, dedupe by id, bulk insert, revisions) | ${fmt(platform.eventsPerSecond)} | ${fmt(platform.seconds, 1)} | ${fmt(platform.p50Ms)} ms | ${fmt(platform.p99Ms)} ms |
| baseline (JetStream publish, pull 1000, COPY into a bare table) | ${fmt(baseline.eventsPerSecond)} | ${fmt(baseline.seconds, 1)} | ${fmt(baseline.p50Ms)} ms | ${fmt(baseline.p99Ms)} ms |
| **ratio platform / baseline** | **${fmt(platform.eventsPerSecond / baseline.eventsPerSecond, 2)}** | | | |

Target: at least 20,000 events/s sustained — **${platform.eventsPerSecond >= 20_000 ? 'met' : `not met (${fmt(platform.eventsPerSecond)} events/s)`}**.
Latency is measured on every 100th event: for the platform, polled by id every 50 ms from outside
(up to ~50 ms of granularity); for the baseline, stamped by its consumer when its COPY returns.
Publishing runs at full speed, so latency includes the time an event waits in the stream behind
the backlog; it is a saturation figure, not an idle one.`);
  }

  if (billing) {
    sections.push(billing.markdown);
  }
  // keep the section `npm run bench:startup` writes
  const file = join(root, 'BENCHMARKS.md');
  const startup = existsSync(file) ? startupSectionOf(readFileSync(file, 'utf8')) : '';
  if (startup) sections.push(startup);
  writeFileSync(file, `${sections.join('\n\n')}\n`);
  process.stdout.write('BENCHMARKS.md written\n');
}

main().catch(async (error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  await stopStack().catch(() => undefined);
  process.exit(1);
});
