/**
 * `npm run bench`: the two benchmarks of the platform, each beside its baseline measured in the
 * same run, written into BENCHMARKS.md with the machine, the date and the commands.
 *
 *   BENCH_EVENTS (default 1,000,000)  BENCH_SUBSCRIPTIONS (10,000)  BENCH_ACCOUNTS (100,000)
 *   BENCH_ONLY=ingestion|billing      BENCH_SEED (42)
 *   BENCH_INGESTION_PARTS, BENCH_CURVE=large, BENCH_PROFILE_DIR: see ingestion-suite.ts
 *
 * Only the sections that ran are replaced in BENCHMARKS.md (`## 1.` ingestion, `## 2.` billing);
 * the others are kept as they were, with their own date and commit.
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { startStack, stopStack, PrivateStackOptions } from '../stack/private-stack';
import { runIngestionSuite } from './ingestion-suite';
import { benchBillingRun, BillingRunResult } from './billing-run.bench';

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

/** The `## N. …` sections of a BENCHMARKS.md, by N, each up to the next one (trimmed). */
function numberedSections(markdown: string): Map<string, string> {
  const result = new Map<string, string>();
  const parts = markdown.split(/^(?=## \d+\. )/m).slice(1);
  for (const part of parts) result.set(/^## (\d+)\./.exec(part)?.[1] as string, part.trim());
  return result;
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const sections: string[] = [];
  let ingestion: string | null = null;
  let billing: BillingRunResult | null = null;

  if (!ONLY || ONLY === 'ingestion') {
    ingestion = await runIngestionSuite({
      stack: STACK,
      events: EVENTS,
      subscriptions: SUBSCRIPTIONS,
      seed: SEED,
      parts: new Set((process.env['BENCH_INGESTION_PARTS'] ?? 'drain,concurrent,latency,rest,curve').split(',')),
      largeCurve: process.env['BENCH_CURVE'] === 'large',
      profileDir: process.env['BENCH_PROFILE_DIR'] ?? null,
      writeChart: (name, svg) => {
        mkdirSync(join(root, 'docs'), { recursive: true });
        writeFileSync(join(root, 'docs', name), svg);
        return `docs/${name}`;
      },
      log: (line) => process.stdout.write(`${line}\n`),
    });
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

Written by \`npm run bench\` (tools/bench/); each section says when and at which commit it was measured
(a run replaces only the sections it ran). Reproduce with \`npm run bench\`
(\`BENCH_ONLY=ingestion|billing\`, \`BENCH_EVENTS\`, \`BENCH_SUBSCRIPTIONS\`, \`BENCH_ACCOUNTS\`,
\`BENCH_SEED\` to vary it). Each benchmark starts a private stack (its own nats-server with
JetStream, its own database, the four apps started as \`npm start\` starts them), and measures its
baseline in the same run on the same machine. Data is generated from a seeded PRNG
(seed ${SEED}), so every run sees the same events, accounts and timelines.

## Machine
- CPU: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}; memory ${fmt(totalmem() / 2 ** 30, 1)} GiB
- Node ${process.version}; ${sh('psql --version')}; ${sh('nats-server --version')}
- PostgreSQL, NATS, the apps and the load generator all on this one machine`);

  const measured = `_Measured ${startedAt} at commit ${sh(`git -C ${root} rev-parse --short HEAD`)}._`;
  const fresh = new Map<string, string>();
  if (ingestion) fresh.set('1', `${ingestion}\n\n${measured}`);
  if (billing) fresh.set('2', `${billing.markdown}\n\n${measured}`);
  const file = join(root, 'BENCHMARKS.md');
  const kept = existsSync(file) ? numberedSections(readFileSync(file, 'utf8')) : new Map<string, string>();
  for (const number of [...new Set([...kept.keys(), ...fresh.keys()])].sort()) sections.push(fresh.get(number) ?? (kept.get(number) as string));
  writeFileSync(file, `${sections.join('\n\n')}\n`);
  process.stdout.write('BENCHMARKS.md written\n');
}

main().catch(async (error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  await stopStack().catch(() => undefined);
  process.exit(1);
});
