// #12 A bare machine: `npm start` (tools/stack/start.ts) where nothing listens at DATABASE_URL and
// NATS_URL. It starts an embedded PostgreSQL 15 and nats-server itself, with their data under
// CEC_DATA_DIR (kept between starts), runs the compiled apps, and stops what it started on SIGTERM;
// where NATS is absent and nats-server is not installed, it says how to install it and exits non-zero.
// Every port is a free one picked at run time: the machine's PostgreSQL (5432) and NATS (4222) are
// never touched.
import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

const root = join(__dirname, '..', '..');
const TOKEN = 'bare-machine-operator-token-0123456789';
const UP = 'all four apps are up';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface Run {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function npmStart(env: NodeJS.ProcessEnv): Run {
  const child = spawn(process.execPath, [join(root, 'tools/run-ts.js'), join(root, 'tools/stack/start.ts')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (data: Buffer) => (text += data.toString()));
  child.stderr?.on('data', (data: Buffer) => (text += data.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exit };
}

async function waitFor(run: Run, needle: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!run.output().includes(needle)) {
    if (run.child.exitCode !== null)
      throw new Error(`npm start exited (${run.child.exitCode}) before "${needle}":\n${run.output().slice(-4000)}`);
    if (Date.now() > deadline)
      throw new Error(`no "${needle}" within ${timeoutMs / 1000} s:\n${run.output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function stop(run: Run): Promise<number | null> {
  if (run.child.exitCode === null) run.child.kill('SIGTERM');
  return Promise.race([
    run.exit,
    new Promise<null>((_, reject) =>
      setTimeout(() => reject(new Error(`npm start did not stop:\n${run.output().slice(-3000)}`)), 60_000),
    ),
  ]);
}

async function products(port: number): Promise<string[]> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/products`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as Array<{ code: string }>).map((product) => product.code).sort();
}

describe('#12 npm start on a bare machine (no PostgreSQL, no NATS listening)', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let ports: { pg: number; nats: number; apps: number[]; console: number };
  const runs: Run[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cec-bare-machine-'));
    chmodSync(dataDir, 0o755); // as root, the embedded server runs as `postgres` and must reach it
    ports = {
      pg: await freePort(),
      nats: await freePort(),
      apps: [await freePort(), await freePort(), await freePort(), await freePort()],
      console: await freePort(),
    };
    env = {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${ports.pg}/cec_bare_machine`,
      NATS_URL: `nats://127.0.0.1:${ports.nats}`,
      CEC_DATA_DIR: dataDir,
      OPERATOR_TOKENS: TOKEN,
      BILLING_SCHEDULER_TICK: 'false',
      LOG_LEVEL: 'warn',
      CATALOG_PORT: String(ports.apps[0]),
      SUBSCRIPTION_PORT: String(ports.apps[1]),
      METERING_PORT: String(ports.apps[2]),
      BILLING_PORT: String(ports.apps[3]),
      CONSOLE_PORT: String(ports.console),
    };
    delete env['NATS_SERVER_BIN'];
  });

  // a test that fails midway leaves no stack running for the next one
  afterEach(async () => {
    for (const run of runs) if (run.child.exitCode === null) await stop(run).catch(() => run.child.kill('SIGKILL'));
  }, 90_000);

  afterAll(async () => {
    for (const run of runs) if (run.child.exitCode === null) await stop(run).catch(() => run.child.kill('SIGKILL'));
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  });

  it('#12 starts an embedded PostgreSQL 15 and nats-server, runs the compiled apps, stops all on SIGTERM', async () => {
    expect(await listening(ports.pg)).toBe(false);
    expect(await listening(ports.nats)).toBe(false);
    const run = npmStart(env);
    runs.push(run);
    await waitFor(run, UP, 240_000);

    expect(run.output()).toMatch(
      new RegExp(`no PostgreSQL listens at 127\\.0\\.0\\.1:${ports.pg}: starting an embedded PostgreSQL 15\\.`),
    );
    expect(run.output()).toContain(`its data is in ${join(dataDir, 'postgres')} (created now)`);
    expect(run.output()).toMatch(
      new RegExp(`no NATS listens at nats://127\\.0\\.0\\.1:${ports.nats}: starting \\S*nats-server with JetStream`),
    );
    const client = new Client({ connectionString: env['DATABASE_URL'] });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: string }>('select version()');
      expect(rows[0].version).toMatch(/^PostgreSQL 15\./);
    } finally {
      await client.end();
    }
    for (const port of ports.apps) expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    // the sample catalog went into the embedded database (R1.1)
    expect(await products(ports.apps[0])).toEqual([
      'advanced-cec',
      'basic-cec',
      'professional-cec',
      'text-chatbot',
      'voice-chatbot',
    ]);
    // the apps (and the console's server) are the compiled ones: npm start's children run dist/apps/<app>/main.js
    const children = readFileSync(`/proc/${run.child.pid}/task/${run.child.pid}/children`, 'utf8').trim().split(/\s+/);
    const commands = children.map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim());
    const apps = ['catalog', 'subscription', 'metering', 'billing'];
    expect(commands.filter((command) => command.includes('main.js')).sort()).toEqual(
      [
        // billing's and metering's V8 old space is capped (#11: <APP>_MAX_OLD_SPACE_MB, default 192 for both)
        ...apps.map((app) => `${process.execPath} ${app === 'billing' || app === 'metering' ? '--max-old-space-size=192 ' : ''}${join(root, 'dist/apps', app, 'main.js')}`),
        `${process.execPath} ${join(root, 'dist/apps/console/server/main.js')}`,
      ].sort(),
    );
    expect(commands.filter((command) => /run-ts|\.ts\b/.test(command))).toEqual([]);

    expect(await stop(run)).toBe(0);
    expect(run.output()).toContain('stopping the nats-server it started');
    expect(run.output()).toContain('stopping the embedded PostgreSQL it started');
    expect(await listening(ports.pg)).toBe(false);
    expect(await listening(ports.nats)).toBe(false);
    for (const port of [...ports.apps, ports.console]) expect(await listening(port)).toBe(false);
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dataDir, 'nats', 'jetstream'))).toBe(true);
  });

  it('#12 keeps the data between starts: a second start finds the database and the catalog of the first', async () => {
    const run = npmStart(env);
    runs.push(run);
    await waitFor(run, UP, 240_000);
    expect(run.output()).toContain(`its data is in ${join(dataDir, 'postgres')} (kept from an earlier start)`);
    expect(run.output()).toContain('catalog: not empty, sample catalog not loaded');
    expect(await products(ports.apps[0])).toHaveLength(5);
    expect(await stop(run)).toBe(0);
    expect(await listening(ports.pg)).toBe(false);
    expect(await listening(ports.nats)).toBe(false);
  });

  it('#12 NATS absent, nats-server not installed: says how to install it, exits 1, starts nothing', async () => {
    const run = npmStart({ ...env, NATS_SERVER_BIN: join(dataDir, 'no-such-nats-server') });
    runs.push(run);
    const code = await Promise.race([
      run.exit,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(run.output())), 60_000)),
    ]);
    expect(code).toBe(1);
    expect(run.output()).toContain(`NATS is not reachable at nats://127.0.0.1:${ports.nats}`);
    expect(run.output()).toContain('nats-server is not installed');
    expect(run.output()).toContain('sudo apt-get install nats-server');
    expect(run.output()).toContain('https://github.com/nats-io/nats-server/releases/download/');
    expect(run.output()).not.toContain('starting an embedded PostgreSQL');
    expect(await listening(ports.pg)).toBe(false);
  });
});
