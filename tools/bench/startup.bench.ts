/**
 * `npm run bench:startup`: start-up time and memory of each app, run from its TypeScript sources
 * compiled at run time (`node tools/run-ts.js apps/<app>/src/main.ts`, SWC through
 * @swc-node/register: how `npm start` ran the apps before #12) and compiled (`node
 * dist/apps/<app>/main.js`, what `npm start` runs now). Per app and way, `BENCH_STARTUP_ROUNDS`
 * (default 5) starts, one process at a time, the two ways alternating:
 *   - start-up: spawn → first `GET /health` 200 (polled every 25 ms);
 *   - idle RSS: VmRSS 10 s after it turned healthy (nothing is asked of it meanwhile);
 *   - peak RSS: VmHWM at that moment (the most it held, start-up included).
 * Medians (min-max) are written into BENCHMARKS.md as the section "Start-up time and memory".
 * It starts its own nats-server (BENCH_NATS_PORT, 15222) and database (BENCH_DATABASE,
 * cec_billing_bench) on the PostgreSQL at 127.0.0.1:5432; apps listen from BENCH_BASE_PORT + 1.
 */
import { ChildProcess, execSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { distEntry, ensureBuilt } from '../stack/build';
import { STARTUP_HEADING, withStartupSection } from './startup-section';

const root = join(__dirname, '..', '..');
const APPS = ['catalog', 'subscription', 'metering', 'billing'] as const;
type App = (typeof APPS)[number];
type Way = 'source' | 'compiled';
const WAYS: Way[] = ['source', 'compiled'];

const ROUNDS = Number(process.env['BENCH_STARTUP_ROUNDS'] ?? 5);
const IDLE_MS = 10_000;
const NATS_PORT = Number(process.env['BENCH_NATS_PORT'] ?? 15222);
const BASE_PORT = Number(process.env['BENCH_BASE_PORT'] ?? 15000);
const DATABASE = process.env['BENCH_DATABASE'] ?? 'cec_billing_bench';

interface Sample {
  startupMs: number;
  idleRssMb: number;
  peakRssMb: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited with ${code}`))));
  });
}

/** kB figure of a /proc/<pid>/status line (VmRSS, VmHWM), in MiB. */
function memoryOf(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  if (!line) throw new Error(`no ${field} for ${pid}`);
  return Number(line.replace(/\D+/g, '')) / 1024;
}

function command(app: App, way: Way): string[] {
  return way === 'source'
    ? [join(root, 'tools', 'run-ts.js'), join(root, 'apps', app, 'src', 'main.ts')]
    : [distEntry(app)];
}

async function measure(app: App, way: Way, port: number, env: NodeJS.ProcessEnv): Promise<Sample> {
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, command(app, way), {
    env: { ...env, [`${app.toUpperCase()}_PORT`]: String(port) },
    stdio: 'ignore',
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${app} (${way}) did not start`);
  try {
    let startupMs = -1;
    while (startupMs < 0) {
      if (child.exitCode !== null)
        throw new Error(`${app} (${way}) exited with ${child.exitCode} before it was healthy`);
      if (performance.now() - started > 120_000) throw new Error(`${app} (${way}) not healthy within 120 s`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/health`);
        await response.arrayBuffer();
        if (response.status === 200) startupMs = performance.now() - started;
      } catch {
        // not listening yet
      }
      if (startupMs < 0) await sleep(25);
    }
    await sleep(IDLE_MS);
    return { startupMs, idleRssMb: memoryOf(pid, 'VmRSS'), peakRssMb: memoryOf(pid, 'VmHWM') };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const fmt = (value: number, digits = 0): string =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const cell = (values: number[], digits = 0): string =>
  `${fmt(median(values), digits)} (${fmt(Math.min(...values), digits)}–${fmt(Math.max(...values), digits)})`;

function sh(line: string): string {
  try {
    return execSync(line, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const loadBefore = loadavg();
  await ensureBuilt(APPS, say);
  const storeDir = mkdtempSync(join(tmpdir(), 'cec-startup-bench-nats-'));
  const nats = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(NATS_PORT), '-js', '-sd', storeDir], {
    stdio: 'ignore',
  });
  const results = new Map<string, Sample[]>();
  try {
    const admin = new Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
    await admin.connect();
    await admin.query(`drop database if exists ${DATABASE} with (force)`);
    await admin.query(`create database ${DATABASE}`);
    await admin.end();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: `postgresql://postgres@127.0.0.1:5432/${DATABASE}`,
      NATS_URL: `nats://127.0.0.1:${NATS_PORT}`,
      OPERATOR_TOKENS: 'startup-bench-operator-token-0123456789',
      LOG_LEVEL: 'warn',
      BILLING_SCHEDULER_TICK: 'false',
      BILLING_CATCH_UP_ON_BOOT: 'false',
    };
    for (const app of APPS) await run(process.execPath, [distEntry(app, 'migrate')], env);
    await run(process.execPath, [distEntry('catalog', 'seed')], env);
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [index, app] of APPS.entries()) {
        const ways = round % 2 === 0 ? WAYS : [...WAYS].reverse();
        for (const way of ways) {
          const sample = await measure(app, way, BASE_PORT + 1 + index, env);
          const key = `${app}/${way}`;
          results.set(key, [...(results.get(key) ?? []), sample]);
          say(
            `round ${round + 1}/${ROUNDS} ${app.padEnd(12)} ${way.padEnd(8)} ${fmt(sample.startupMs)} ms, ` +
              `idle ${fmt(sample.idleRssMb)} MiB, peak ${fmt(sample.peakRssMb)} MiB`,
          );
        }
      }
    }
  } finally {
    nats.kill('SIGTERM');
    await new Promise((resolve) => (nats.exitCode !== null ? resolve(null) : nats.once('exit', resolve)));
    rmSync(storeDir, { recursive: true, force: true });
  }
  const loadAfter = loadavg();

  const rows = APPS.flatMap((app) =>
    WAYS.map((way) => {
      const samples = results.get(`${app}/${way}`) ?? [];
      const label = way === 'source' ? 'before: sources, SWC at run time' : '**after: compiled** (`dist/`)';
      const cells = [samples.map((s) => s.startupMs), samples.map((s) => s.idleRssMb), samples.map((s) => s.peakRssMb)];
      return `| ${app} | ${label} | ${cells.map((values) => cell(values)).join(' | ')} |`;
    }),
  );
  const ratio = (field: keyof Sample): string =>
    APPS.map((app) => {
      const before = median((results.get(`${app}/source`) ?? []).map((s) => s[field]));
      const after = median((results.get(`${app}/compiled`) ?? []).map((s) => s[field]));
      return `${app} ${fmt(after / before, 2)}`;
    }).join(', ');
  const all = [...results.values()].flat();
  const idleIsPeak = all.every((s) => Math.abs(s.peakRssMb - s.idleRssMb) < 1);
  const commit = sh(`git -C ${root} rev-parse --short HEAD`);
  const memory = `${fmt(totalmem() / 2 ** 30, 1)} GiB`;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}, ${memory}, Node ${process.version}`;
  const section = `${STARTUP_HEADING}

Written by \`npm run bench:startup\` (tools/bench/startup.bench.ts) on ${startedAt}, commit
${commit}; ${machine}.
Load average (1 min) ${fmt(loadBefore[0], 1)} at the start and ${fmt(loadAfter[0], 1)} at the end: the machine was
shared with other work, so the times are indicative; the two ways alternate start by start, so both saw the
same load. Each app alone, against PostgreSQL and its own nats-server, ${ROUNDS} starts per way;
median (min–max).

- **before**: \`node tools/run-ts.js apps/<app>/src/main.ts\`, the TypeScript compiled by SWC
  (@swc-node/register) as it is loaded: how \`npm start\` ran the apps before #12;
- **after**: \`node dist/apps/<app>/main.js\`, built by \`npm run build\` (Nx \`build\` targets:
  webpack, the libraries bundled in, node_modules external): what \`npm start\` runs now.

Start-up is spawn → first \`GET /health\` 200 (which needs the database and the three NATS
connections); idle RSS is the process's resident memory 10 s later with nothing asked of it; peak
RSS is the most it held until then (VmHWM), start-up included.${
    idleIsPeak
      ? ' Idle and peak are equal in every start here:\nwhat start-up took is not given back within those 10 s.'
      : ''
  }

| app | way | start-up, ms | idle RSS, MiB | peak RSS, MiB |
| --- | --- | ---: | ---: | ---: |
${rows.join('\n')}

After / before (medians):
- start-up: ${ratio('startupMs')};
- idle RSS: ${ratio('idleRssMb')};
- peak RSS: ${ratio('peakRssMb')}.`;
  const file = join(root, 'BENCHMARKS.md');
  const markdown = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  writeFileSync(file, withStartupSection(markdown, section));
  say(section);
  say('BENCHMARKS.md: start-up section written');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
