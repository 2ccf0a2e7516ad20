/**
 * `npm run bench`: the two benchmarks of the platform, each beside its baseline measured in the
 * same run, written into BENCHMARKS.md with the machine, the date and the commands.
 *
 *   BENCH_EVENTS (default 1,000,000)  BENCH_SUBSCRIPTIONS (10,000)  BENCH_ACCOUNTS (100,000)
 *   BENCH_ONLY=ingestion|billing|guard      BENCH_SEED (42)
 *   guard (issue 10): GUARD_BENCH_ACCOUNTS (100), GUARD_BENCH_ROUNDS (10),
 *   GUARD_BENCH_LOAD_RATE (5,000 events/s), GUARD_BENCH_LOAD_SUBSCRIPTIONS (2,000)
 *   BENCH_BILLING_REPLICAS=n (#11)    also runs BENCH_REPLICAS_ACCOUNTS (default BENCH_ACCOUNTS) accounts on
 *                                     one and on n billing replicas sharing the run
 *   BENCH_CURVE=small|large (#11)     the billing cost curve: 10,000 and 100,000 accounts (large: and
 *                                     1,000,000; not for CI), table and chart (docs/bench-billing-curve.svg)
 *   BENCH_INGESTION_PARTS, BENCH_PROFILE_DIR (#11): see ingestion-suite.ts (BENCH_CURVE=large also runs 5M events)
 *   BENCH_POSTGRES_PORT (#11)        another PostgreSQL on loopback (default 5432). When it loads
 *                                     pg_stat_statements, the billing run's top statements are written to
 *                                     tools/bench/profiles/billing-statements-<accounts>.txt
 *
 * BENCHMARKS.md keeps the sections of the benchmarks not run this time: only those run are rewritten.
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { startStack, stopStack, PrivateStackOptions } from '../stack/private-stack';
import { runIngestionSuite } from './ingestion-suite';
import { benchBillingRun, BillingRunResult } from './billing-run.bench';
import { lineChartSvg } from './chart';
import { AuditBenchResult, benchAuditCommand } from './audit.bench';
import { benchGuardLatency, GuardBenchResult, guardBenchOptionsFromEnv } from './prepaid-guard.bench';

const root = join(__dirname, '..', '..');
const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const EVENTS = env('BENCH_EVENTS', 1_000_000);
const SUBSCRIPTIONS = env('BENCH_SUBSCRIPTIONS', 10_000);
const ACCOUNTS = env('BENCH_ACCOUNTS', 100_000);
const SEED = env('BENCH_SEED', 42);
const ONLY = process.env['BENCH_ONLY'];
const REPLICAS = Math.max(1, env('BENCH_BILLING_REPLICAS', 1));
const REPLICAS_ACCOUNTS = env('BENCH_REPLICAS_ACCOUNTS', ACCOUNTS);
const CURVE = process.env['BENCH_CURVE'];
if (CURVE !== undefined && CURVE !== 'small' && CURVE !== 'large') throw new Error(`BENCH_CURVE must be small or large, not ${CURVE}`);
const CURVE_POINTS = CURVE === 'large' ? [10_000, 100_000, 1_000_000] : [10_000, 100_000];
const CHART = 'docs/bench-billing-curve.svg';

// BENCH_NATS_PORT / BENCH_BASE_PORT / BENCH_DATABASE let two checkouts benchmark side by side.
const STACK: PrivateStackOptions = {
  name: process.env['BENCH_STACK_NAME'] ?? 'bench',
  natsPort: env('BENCH_NATS_PORT', 15222),
  basePort: env('BENCH_BASE_PORT', 15000),
  database: process.env['BENCH_DATABASE'] ?? 'cec_billing_bench',
  billingTestClock: false,
  // BENCH_POSTGRES_PORT: another PostgreSQL on loopback, e.g. a cluster with pg_stat_statements for profiling
  postgresPort: env('BENCH_POSTGRES_PORT', 5432),
};

function sh(command: string): string {
  try {
    return execSync(command, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

const fmt = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * What the curve shows about linearity (#11: "say where it does not and why"): the growth of the
 * cost per account from the first point to the last, for the platform and for the SQL baseline.
 */
function curveGrowth(curve: readonly BillingRunResult[]): string {
  if (curve.length < 2) return '';
  const first = curve[0];
  const last = curve[curve.length - 1];
  const perAccount = (seconds: number, accounts: number): number => seconds / accounts;
  const platform = perAccount(last.seconds, last.accounts) / perAccount(first.seconds, first.accounts) - 1;
  const baseline = perAccount(last.baseline.seconds, last.accounts) / perAccount(first.baseline.seconds, first.accounts) - 1;
  const pct = (value: number): string => `${value >= 0 ? '+' : ''}${fmt(value * 100)} %`;
  if (Math.abs(platform) < 0.1 && Math.abs(baseline) < 0.1) {
    return `Here it does: from ${fmt(first.accounts)} to ${fmt(last.accounts)} accounts the cost per account changes by ${pct(platform)} (baseline ${pct(baseline)}).`;
  }
  return `From ${fmt(first.accounts)} to ${fmt(last.accounts)} accounts the cost per account changes by ${pct(platform)} for the platform and by ${pct(baseline)} for
the SQL baseline, which is the database's work alone: where the curve is not flat, it is the
database's part that grows. PostgreSQL runs here with Debian's defaults (\`shared_buffers\` 128 MB); a
larger month's tables and indexes (usage, bills, lines, kept inputs) outgrow that cache, so pages are
evicted and written back during the run. That is the likely cause; this bench does not isolate it.`;
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const sections: string[] = [];
  let ingestion: string | null = null;
  let billing: BillingRunResult | null = null;
  let audit: AuditBenchResult | null = null;
  let guard: GuardBenchResult | null = null;

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

  const billingRuns: BillingRunResult[] = [];
  const runBilling = async (accounts: number, replicas: number, withAudit = false): Promise<BillingRunResult> => {
    const known = billingRuns.find((run) => run.accounts === accounts && run.replicas === replicas);
    if (known) return known;
    process.stdout.write(`billing run: ${fmt(accounts)} accounts with two subscriptions each, ${replicas} billing replica(s)\n`);
    const extraEnv: Record<string, string> = { ...STACK.extraEnv, BILLING_REPLICAS: String(replicas) };
    const info = await startStack({ ...STACK, name: `${STACK.name}-billing`, extraEnv });
    try {
      const result = await benchBillingRun(info, accounts, SEED, { replicas });
      process.stdout.write(
        `  platform: ${fmt(result.accountsPerSecond)} accounts/s in ${fmt(result.seconds, 1)} s; baseline SQL: ${fmt(result.baseline.seconds, 2)} s; ` +
          `differences ${result.mismatches}/${result.billMismatches}/${result.balanceMismatches}; exactly once: ${result.exactlyOnce}; RSS ${JSON.stringify(result.rssMiB)}\n`,
      );
      billingRuns.push(result);
      if (withAudit) {
        // issue 10: `npm run audit` on the run's bills, while its database is still up
        audit = await benchAuditCommand(info);
        process.stdout.write(
          `  audit: ${fmt(audit.bills)} bills in ${fmt(audit.seconds, 1)} s (${fmt(audit.billsPerSecond)} bills/s), ${audit.differences} difference(s)\n`,
        );
      }
      return result;
    } finally {
      await stopStack();
    }
  };
  let billingCurve: BillingRunResult[] = [];
  let billingReplicas: { one: BillingRunResult; many: BillingRunResult } | null = null;
  if (!ONLY || ONLY === 'billing') {
    billing = await runBilling(ACCOUNTS, 1, true);
    if (CURVE) {
      billingCurve = [];
      for (const accounts of CURVE_POINTS) billingCurve.push(await runBilling(accounts, 1));
    }
    if (REPLICAS > 1) billingReplicas = { one: await runBilling(REPLICAS_ACCOUNTS, 1), many: await runBilling(REPLICAS_ACCOUNTS, REPLICAS) };
  }

  if (!ONLY || ONLY === 'guard') {
    const options = guardBenchOptionsFromEnv();
    process.stdout.write(`prepaid guard latency under ${fmt(options.loadRate)} usage events/s of load\n`);
    const info = await startStack({ ...STACK, name: `${STACK.name}-guard` });
    try {
      guard = await benchGuardLatency(info, options);
      process.stdout.write(`  guard: p50 ${fmt(guard.p50Ms)} ms, p99 ${fmt(guard.p99Ms)} ms (load ${fmt(guard.loadPublishedPerSecond)} events/s); stages p50 ${JSON.stringify(guard.stagesP50Ms)} ms; guard queue ${JSON.stringify(guard.guardQueue)}; batches ${JSON.stringify(guard.batches)}\n`);
    } finally {
      await stopStack();
    }
  }

  sections.push(`# Benchmarks

Written by \`npm run bench\` (tools/bench/) on ${startedAt}. Reproduce with \`npm run bench\`
(\`BENCH_ONLY=ingestion|billing|guard\`, \`BENCH_EVENTS\`, \`BENCH_SUBSCRIPTIONS\`, \`BENCH_ACCOUNTS\`,
\`BENCH_SEED\` to vary it). Each benchmark starts a private stack (its own nats-server with
JetStream, its own database, the four apps started as \`npm start\` starts them), and measures its
baseline in the same run on the same machine. Data is generated from a seeded PRNG
(seed ${SEED}), so every run sees the same events, accounts and timelines.

## Machine
- CPU: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}; memory ${fmt(totalmem() / 2 ** 30, 1)} GiB
- Node ${process.version}; ${sh('psql --version')}; ${sh('nats-server --version')}
- PostgreSQL settings that shape the figures: ${sh(`psql -h 127.0.0.1 -p ${STACK.postgresPort} -U postgres -d postgres -Atc "select string_agg(name || ' = ' || setting || coalesce(' ' || unit, ''), ', ' order by name) from pg_settings where name in ('autovacuum', 'shared_buffers', 'jit', 'fsync', 'synchronous_commit')"`)} (with autovacuum off, the billing bench analyzes after each loading phase)
- PostgreSQL, NATS, the apps and the load generator all on this one machine`);

  if (ingestion) {
    sections.push(`${ingestion}

_Measured ${startedAt} at commit ${sh(`git -C ${root} rev-parse --short HEAD`)}, load average at the end ${loadAverage()}._`);
  }

  if (billing) {
    sections.push(`## 2. Billing run

Measured ${startedAt} at commit ${sh(`git -C ${root} rev-parse --short HEAD`)}, load average at the end ${loadAverage()}
(the machine is shared: absolute figures are noisy, the ratios to the baseline of the same run less so).

${billing.markdown}${auditMarkdown(audit)}`);
  }
  if (guard) {
    sections.push(guard.markdown);
  }
  if (billingReplicas) {
    const { one, many } = billingReplicas;
    sections.push(`## 2b. Billing run on ${many.replicas} replicas sharing one run

The same ${fmt(one.accounts)} accounts, once on one billing replica and once on ${many.replicas} (\`BILLING_REPLICAS\`: every replica
pulls the run's jobs from the shared durable consumer), each on a fresh stack, same machine, same invocation.

| replicas | run time | accounts/s | exactly once (markers, bills, \`bill.issued\`) | lines / bills / balances differing from the baseline |
| ---: | ---: | ---: | --- | ---: |
${[one, many].map((run) => `| ${run.replicas} | ${fmt(run.seconds, 1)} s | ${fmt(run.accountsPerSecond)} | ${run.exactlyOnce ? 'each once' : '**NOT once**'} | ${run.mismatches} / ${run.billMismatches} / ${run.balanceMismatches} |`).join('\n')}

**Speed-up: ${fmt(many.accountsPerSecond / one.accountsPerSecond, 2)}×** with ${many.replicas} replicas on ${cpus().length} cores shared with PostgreSQL, NATS and the other
apps (the replicas compete for the same cores; on this machine more replicas mostly add parallel
waiting on the database and metering, not CPU).

${many.markdown}`);
  }
  if (billingCurve.length > 0) {
    const series = (name: string, y: (run: BillingRunResult) => number): { name: string; points: Array<{ x: number; y: number }> } => ({
      name,
      points: billingCurve.map((run) => ({ x: run.accounts, y: y(run) })),
    });
    const svg = await lineChartSvg('Billing run: cost curve (log-log: slope 1 = linear)', 'accounts', 'seconds', [
      series('platform run (s)', (run) => run.seconds),
      series('baseline SQL pass, computing and writing (s)', (run) => run.baseline.seconds),
    ], { logX: true, logY: true });
    mkdirSync(join(root, 'docs'), { recursive: true });
    writeFileSync(join(root, CHART), svg);
    const first = billingCurve[0];
    sections.push(`## 2c. Billing cost curve

\`BENCH_CURVE=${CURVE}\` (${CURVE_POINTS.map((n) => fmt(n)).join(' / ')} accounts; \`large\` adds 1,000,000 and is not for CI), each point on a
fresh stack, one billing replica, the data of section 2's generator. Chart: [${CHART}](${CHART}).

| accounts | run time | accounts/s | seconds per 10,000 accounts | baseline (compute + write) | platform / baseline | peak RSS billing / metering / catalog (run phase) | differences |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${billingCurve
  .map(
    (run) =>
      `| ${fmt(run.accounts)} | ${fmt(run.seconds, 1)} s | ${fmt(run.accountsPerSecond)} | ${fmt((run.seconds / run.accounts) * 10_000, 2)} | ${fmt(run.baseline.seconds, 1)} s | ${fmt(run.accountsPerSecond / (run.accounts / run.baseline.seconds), 2)} | ${fmt(run.rssMiB['billing'] ?? 0)} / ${fmt(run.rssMiB['metering'] ?? 0)} / ${fmt(run.rssMiB['catalog'] ?? 0)} MiB | ${run.mismatches + run.billMismatches + run.balanceMismatches} |`,
  )
  .join('\n')}

![billing cost curve](${CHART})

Cost grows linearly when seconds per 10,000 accounts stay flat from point to point; the first
point (${fmt(first.accounts)}) carries the run's fixed costs (planning, the first job's round trips, the end of
the run) over few accounts. ${curveGrowth(billingCurve)}`);
  }
  writeSections(join(root, 'BENCHMARKS.md'), sections);
  process.stdout.write('BENCHMARKS.md written (the sections run this time)\n');
}

// `audit` is assigned inside the runBilling closure, which the compiler's narrowing does not follow.
function auditMarkdown(result: AuditBenchResult | null): string {
  return result ? `\n\n${result.markdown}` : '';
}

function loadAverage(): string {
  return sh('cut -d" " -f1-3 /proc/loadavg');
}

/**
 * Writes BENCHMARKS.md: the header (everything before the first \`## <n>.\` section) and the sections
 * run this time replace their namesakes (same \`## <n>.\` number); the other sections are kept.
 */
function writeSections(file: string, fresh: readonly string[]): void {
  const keyOf = (section: string): string | null => /^## (\w+)\./.exec(section)?.[1] ?? null;
  const split = (text: string): string[] => text.split(/\n(?=## \w+\. )/).map((part) => part.trim());
  const old = existsSync(file) ? split(readFileSync(file, 'utf8')) : [];
  const [header, ...rest] = fresh;
  const replaced = new Map(rest.map((section) => [keyOf(section), section]));
  const kept = old.filter((section) => keyOf(section) !== null && !replaced.has(keyOf(section)));
  const all = [...kept, ...rest].sort((a, b) => (keyOf(a) ?? '').localeCompare(keyOf(b) ?? '', 'en', { numeric: true }));
  writeFileSync(file, `${[header, ...all].join('\n\n')}\n`);
}

main().catch(async (error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  await stopStack().catch(() => undefined);
  process.exit(1);
});
