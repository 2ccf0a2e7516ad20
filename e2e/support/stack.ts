/**
 * The scenario suite's private stack: its own nats-server (JetStream, temporary store), its own
 * database, the four apps on their own ports, started the way `npm start` starts them, with the
 * billing test clock on. Nothing is shared with a developer's running stack.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export interface StackInfo {
  natsUrl: string;
  databaseUrl: string;
  token: string;
  ports: { catalog: number; subscription: number; metering: number; billing: number };
}

const root = join(__dirname, '..', '..');
const stateFile = join(tmpdir(), 'cec-billing-e2e-stack.json');
const NATS_PORT = Number(process.env['E2E_NATS_PORT'] ?? 14222);
const BASE_PORT = Number(process.env['E2E_BASE_PORT'] ?? 14000);
const DATABASE = 'cec_billing_e2e';
const TOKEN = 'e2e-operator-token-0123456789abcdef';

let nats: ChildProcess | null = null;
let stack: ChildProcess | null = null;
let storeDir: string | null = null;

function waitPort(port: number, timeoutMs: number): Promise<void> {
  const net = require('node:net') as typeof import('node:net');
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const socket = net.connect(port, '127.0.0.1');
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

async function recreateDatabase(): Promise<void> {
  const admin = new Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${DATABASE} with (force)`);
    await admin.query(`create database ${DATABASE}`);
  } finally {
    await admin.end();
  }
}

export async function startStack(): Promise<void> {
  storeDir = mkdtempSync(join(tmpdir(), 'cec-e2e-nats-'));
  nats = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(NATS_PORT), '-js', '-sd', storeDir], { stdio: 'ignore' });
  await waitPort(NATS_PORT, 10_000);
  await recreateDatabase();
  const info: StackInfo = {
    natsUrl: `nats://127.0.0.1:${NATS_PORT}`,
    databaseUrl: `postgresql://postgres@127.0.0.1:5432/${DATABASE}`,
    token: TOKEN,
    ports: { catalog: BASE_PORT + 1, subscription: BASE_PORT + 2, metering: BASE_PORT + 3, billing: BASE_PORT + 4 },
  };
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: info.databaseUrl,
    NATS_URL: info.natsUrl,
    OPERATOR_TOKENS: TOKEN,
    BILLING_TEST_CLOCK: 'true',
    LOG_LEVEL: 'warn',
    CATALOG_PORT: String(info.ports.catalog),
    SUBSCRIPTION_PORT: String(info.ports.subscription),
    METERING_PORT: String(info.ports.metering),
    BILLING_PORT: String(info.ports.billing),
  };
  const log: string[] = [];
  stack = spawn(process.execPath, [join(root, 'tools/run-ts.js'), join(root, 'tools/stack/start.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (data: Buffer): void => {
      const text = data.toString();
      log.push(text);
      if (text.includes('all four apps are up')) resolve();
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
  writeFileSync(stateFile, JSON.stringify(info));
  (globalThis as Record<string, unknown>)['__E2E_STACK__'] = { nats, stack, storeDir };
}

export async function stopStack(): Promise<void> {
  const held = (globalThis as Record<string, unknown>)['__E2E_STACK__'] as { nats: ChildProcess; stack: ChildProcess; storeDir: string } | undefined;
  const processes = held ?? { nats, stack, storeDir };
  if (processes.stack && processes.stack.exitCode === null) {
    const exited = new Promise((resolve) => processes.stack?.once('exit', resolve));
    processes.stack.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 8000))]);
  }
  processes.nats?.kill('SIGTERM');
  if (processes.storeDir) rmSync(processes.storeDir, { recursive: true, force: true });
}

export function stackInfo(): StackInfo {
  return JSON.parse(readFileSync(stateFile, 'utf8')) as StackInfo;
}
