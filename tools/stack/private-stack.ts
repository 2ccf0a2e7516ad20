/**
 * A private stack for the scenario suite and the benchmarks: its own nats-server (JetStream,
 * temporary store), its own database, the four compiled apps on their own ports, started the way
 * `npm start` starts them (it is `npm start`). Nothing is shared with a developer's running stack.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import type { StackApp } from './services';
import { ensureBuilt } from './build';

export interface StackInfo {
  natsUrl: string;
  databaseUrl: string;
  token: string;
  ports: { catalog: number; subscription: number; metering: number; billing: number };
}

export interface PrivateStackOptions {
  name: string;
  natsPort: number;
  basePort: number;
  database: string;
  billingTestClock: boolean;
  /** The operator console's port (issue 12); absent: no console (CONSOLE_PORT=0). */
  consolePort?: number;
  extraEnv?: Record<string, string>;
  /** The apps to start (default all four). */
  apps?: readonly StackApp[];
  /** Node flags per app, e.g. `{ metering: ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] }`. */
  nodeArgs?: Partial<Record<StackApp, readonly string[]>>;
  /** The PostgreSQL server's port on loopback (default 5432, the machine's; e.g. a profiling cluster). */
  postgresPort?: number;
}

export const E2E_STACK: PrivateStackOptions = {
  name: process.env['E2E_STACK_NAME'] ?? 'e2e',
  natsPort: Number(process.env['E2E_NATS_PORT'] ?? 14222),
  basePort: Number(process.env['E2E_BASE_PORT'] ?? 14000),
  database: process.env['E2E_DATABASE'] ?? 'cec_billing_e2e',
  billingTestClock: true,
};

const root = join(__dirname, '..', '..');
const stateFileOf = (name: string): string => join(tmpdir(), `cec-billing-${name}-stack.json`);
const TOKEN = 'private-stack-operator-token-0123456789';

let nats: ChildProcess | null = null;
let stack: ChildProcess | null = null;
let storeDir: string | null = null;

function waitPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listening on ${port}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

async function recreateDatabase(DATABASE: string, port: number): Promise<void> {
  const admin = new Client({ connectionString: `postgresql://postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${DATABASE} with (force)`);
    await admin.query(`create database ${DATABASE}`);
  } finally {
    await admin.end();
  }
}

/**
 * Starts the apps (`npm start`'s launcher, tools/stack/start.ts) against the stack's NATS and
 * database; resolves when they are healthy. Used by startStack, and by {@link restartApps}.
 */
async function launchApps(options: PrivateStackOptions, info: StackInfo): Promise<void> {
  const nodeArgs = Object.fromEntries(Object.entries(options.nodeArgs ?? {}).map(([app, args]) => [`${app.toUpperCase()}_NODE_ARGS`, (args ?? []).join(' ')]));
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: info.databaseUrl,
    NATS_URL: info.natsUrl,
    OPERATOR_TOKENS: TOKEN,
    BILLING_TEST_CLOCK: String(options.billingTestClock),
    // scenarios and benchmarks start their runs themselves; the 5-minute scheduler tick (which
    // would also bill their back-dated accounts, #9.4) could race them. Test-clock moves still tick.
    BILLING_SCHEDULER_TICK: 'false',
    LOG_LEVEL: 'warn',
    ...options.extraEnv,
    ...nodeArgs,
    ...(options.apps ? { STACK_APPS: options.apps.join(',') } : {}),
    CATALOG_PORT: String(info.ports.catalog),
    SUBSCRIPTION_PORT: String(info.ports.subscription),
    METERING_PORT: String(info.ports.metering),
    BILLING_PORT: String(info.ports.billing),
    CONSOLE_PORT: String(options.consolePort ?? 0),
  };
  const log: string[] = [];
  stack = spawn(process.execPath, [join(root, 'tools/run-ts.js'), join(root, 'tools/stack/start.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (data: Buffer): void => {
      const text = data.toString();
      log.push(text);
      if (text.includes('all four apps are up') || text.includes('the apps asked for are up')) resolve();
      if (process.env['STACK_VERBOSE']) process.stdout.write(text);
    };
    stack?.stdout?.on('data', onData);
    stack?.stderr?.on('data', onData);
    stack?.on('exit', (code) => reject(new Error(`the stack exited (${code}) before it was up:\n${log.join('').slice(-4000)}`)));
  });
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the stack was not up within 120 s:\n${log.join('').slice(-4000)}`)), 120_000));
  await Promise.race([ready, timeout]);
  // keep draining output so the pipes never fill
  stack.stdout?.removeAllListeners('data');
  stack.stdout?.on('data', () => undefined);
  (globalThis as Record<string, unknown>)['__E2E_STACK__'] = { nats, stack, storeDir };
}

/**
 * Stops the apps and starts `options.apps` again (with `options.nodeArgs`), keeping NATS and the
 * database as they are: the drain benchmark fills a stream while its consumer is down.
 */
export async function restartApps(options: PrivateStackOptions, info: StackInfo): Promise<void> {
  await stopApps();
  await launchApps(options, info);
}

/** Stops the apps (SIGTERM to the launcher, which stops its apps), leaving NATS and the database. */
export async function stopApps(): Promise<void> {
  if (stack && stack.exitCode === null) {
    const launcher = stack;
    const exited = new Promise((resolve) => launcher.once('exit', resolve));
    launcher.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 8000))]);
  }
}

export async function startStack(options: PrivateStackOptions = E2E_STACK): Promise<StackInfo> {
  // the stack runs the compiled apps: build them now (when missing or stale), outside start's wait
  await ensureBuilt(['catalog', 'subscription', 'metering', 'billing'], (line) => {
    if (process.env['STACK_VERBOSE']) process.stdout.write(`${line}\n`);
  });
  storeDir = mkdtempSync(join(tmpdir(), `cec-${options.name}-nats-`));
  nats = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(options.natsPort), '-js', '-sd', storeDir], { stdio: 'ignore' });
  await waitPort(options.natsPort, 10_000);
  const postgresPort = options.postgresPort ?? 5432;
  await recreateDatabase(options.database, postgresPort);
  const BASE_PORT = options.basePort;
  const info: StackInfo = {
    natsUrl: `nats://127.0.0.1:${options.natsPort}`,
    databaseUrl: `postgresql://postgres@127.0.0.1:${postgresPort}/${options.database}`,
    token: TOKEN,
    ports: { catalog: BASE_PORT + 1, subscription: BASE_PORT + 2, metering: BASE_PORT + 3, billing: BASE_PORT + 4 },
  };
  await launchApps(options, info);
  writeFileSync(stateFileOf(options.name), JSON.stringify(info));
  (globalThis as Record<string, unknown>)['__E2E_STACK__'] = { nats, stack, storeDir };
  return info;
}

/** The pid of the stack's launcher (`npm start`); the apps are its children. */
export function stackPid(): number | undefined {
  return stack?.pid;
}

export async function stopStack(): Promise<void> {
  const held = (globalThis as Record<string, unknown>)['__E2E_STACK__'] as { nats: ChildProcess; stack: ChildProcess; storeDir: string } | undefined;
  const processes = held ?? { nats, stack, storeDir };
  if (processes.stack && processes.stack.exitCode === null) {
    const exited = new Promise((resolve) => processes.stack?.once('exit', resolve));
    processes.stack.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 8000))]);
  }
  if (processes.nats && processes.nats.exitCode === null) {
    const exited = new Promise((resolve) => processes.nats?.once('exit', resolve));
    processes.nats.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  }
  if (processes.storeDir) {
    try {
      rmSync(processes.storeDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    } catch (error) {
      process.stderr.write(`could not remove ${processes.storeDir}: ${String(error)}\n`);
    }
  }
}

export function stackInfo(name = E2E_STACK.name): StackInfo {
  return JSON.parse(readFileSync(stateFileOf(name), 'utf8')) as StackInfo;
}
