/**
 * The processes of the fault-injection suite: a private PostgreSQL cluster (initdb + pg_ctl on a
 * port of its own), nats-servers (one node, or a three-node JetStream cluster on loopback) and the
 * apps, each replica its own process and HTTP port. Everything is started and killed by pid; the
 * machine's PostgreSQL and NATS are never touched.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { connect } from 'nats';
import { distEntry } from '../stack/build';

/** PostgreSQL's server binaries: CHAOS_PG_BIN, else the newest /usr/lib/postgresql/<version>/bin. */
function pgBin(): string {
  if (process.env['CHAOS_PG_BIN']) return process.env['CHAOS_PG_BIN'];
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').filter((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`)) : [];
  if (versions.length === 0) throw new Error('initdb not found: install the PostgreSQL server package or set CHAOS_PG_BIN');
  return `/usr/lib/postgresql/${versions.sort((a, b) => Number(b) - Number(a))[0]}/bin`;
}

/** initdb and pg_ctl refuse to run as root: as root they run as the postgres user. */
function asPostgres(command: string): void {
  if (process.getuid?.() === 0) execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', command], { stdio: 'ignore' });
  else execFileSync('/bin/sh', ['-c', command], { stdio: 'ignore' });
}

/** Fails when something already listens on a port the suite needs (another run, another program). */
export async function requireFreePort(port: number): Promise<void> {
  if (await waitPort(port, 0)) throw new Error(`port ${port} is in use: is another chaos run going on? The suite needs CHAOS_PORT_BASE (17000) to +999`);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Every process the suite started, so that an abnormal exit still kills them (by pid). */
const started = new Set<ChildProcess>();
/** Synchronous clean-ups (the private PostgreSQL cluster) run when the suite exits, however it exits. */
const atExit = new Set<() => void>();
process.on('exit', () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const cleanUp of atExit) {
    try {
      cleanUp();
    } catch {
      // already stopped
    }
  }
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

export function waitPort(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    const attempt = (): void => {
      const socket = netConnect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) resolve(false);
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function killHard(child: ChildProcess | null): Promise<void> {
  if (!child) return;
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await exited(child);
  started.delete(child);
}

function spawnLogged(command: string, args: string[], logFile: string, env?: NodeJS.ProcessEnv): ChildProcess {
  const fd = openSync(logFile, 'a');
  const child = spawn(command, args, { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  started.add(child);
  return child;
}

/** A PostgreSQL cluster of the suite's own (run as the postgres user), stoppable at will. */
export class PgCluster {
  constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly logFile: string,
  ) {}

  private pgCtl(args: string[]): void {
    asPostgres(`${pgBin()}/pg_ctl ${args.join(' ')}`);
  }

  async init(): Promise<void> {
    await this.destroy();
    await requireFreePort(this.port);
    mkdirSync(this.dataDir, { recursive: true });
    writeFileSync(this.logFile, '');
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', this.dataDir, this.logFile]);
    asPostgres(`${pgBin()}/initdb -D ${this.dataDir} -A trust -U postgres --no-sync`);
    atExit.add(this.stopIfRunning);
    this.start();
  }

  start(): void {
    const options = `-p ${this.port} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300 -c shared_buffers=128MB`;
    this.pgCtl(['-D', this.dataDir, '-l', this.logFile, '-w', '-t', '60', '-o', `"${options}"`, 'start']);
  }

  /** Stops at once (`-m immediate`, a crash as far as the clients see it). */
  stop(): void {
    this.pgCtl(['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']);
  }

  private readonly stopIfRunning = (): void => {
    if (existsSync(join(this.dataDir, 'postmaster.pid'))) {
      try {
        this.stop();
      } catch {
        // not running
      }
    }
  };

  async destroy(): Promise<void> {
    this.stopIfRunning();
    atExit.delete(this.stopIfRunning);
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  url(database: string): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }
}

export interface NatsNodeOptions {
  name: string;
  port: number;
  storeDir: string;
  logFile: string;
  /** For a cluster node: its route port and the route ports of the others. */
  cluster?: { port: number; routes: number[] };
}

/** One nats-server with JetStream; kill -9 and restart on the same store directory. */
export class NatsNode {
  private child: ChildProcess | null = null;
  private readonly configFile: string;

  constructor(readonly options: NatsNodeOptions) {
    this.configFile = `${options.storeDir}.conf`;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.options.port}`;
  }

  async start(): Promise<void> {
    mkdirSync(this.options.storeDir, { recursive: true });
    const { name, port, storeDir, cluster } = this.options;
    const lines = [`server_name: ${name}`, `listen: 127.0.0.1:${port}`, `jetstream { store_dir: "${storeDir}" }`];
    if (cluster) {
      lines.push(`cluster { name: chaos, listen: 127.0.0.1:${cluster.port}, routes: [${cluster.routes.map((p) => `nats://127.0.0.1:${p}`).join(', ')}] }`);
    }
    writeFileSync(this.configFile, `${lines.join('\n')}\n`);
    this.child = spawnLogged('nats-server', ['-c', this.configFile], this.options.logFile);
    if (!(await waitPort(port, 15_000))) throw new Error(`nats-server ${name} is not listening on ${port}`);
  }

  async kill(): Promise<void> {
    await killHard(this.child);
    this.child = null;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }
}

/** Waits until JetStream answers (a cluster has elected its meta leader). */
export async function waitJetStream(servers: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const nc = await connect({ servers, timeout: 2000, reconnect: false });
      try {
        const jsm = await nc.jetstreamManager({ timeout: 2000 });
        await jsm.getAccountInfo();
        return;
      } finally {
        await nc.close();
      }
    } catch (error) {
      last = String(error);
      await sleep(300);
    }
  }
  throw new Error(`JetStream did not answer within ${timeoutMs / 1000} s: ${last}`);
}

export type AppName = 'catalog' | 'subscription' | 'metering' | 'billing';

/** One replica of one app: the compiled `node dist/apps/<app>/main.js` with its own port. */
export class AppReplica {
  private child: ChildProcess | null = null;

  constructor(
    readonly app: AppName,
    readonly index: number,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logFile: string,
  ) {}

  get label(): string {
    return `${this.app}#${this.index + 1}`;
  }

  start(): void {
    const env = { ...this.env, [`${this.app.toUpperCase()}_PORT`]: String(this.port) };
    this.child = spawnLogged(process.execPath, [distEntry(this.app)], this.logFile, env);
  }

  async kill(): Promise<void> {
    await killHard(this.child);
    this.child = null;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }
}

/** Runs one app's compiled CLI step (`migrate`: dist/apps/<app>/migrate.js) to completion. */
export function runCli(app: AppName, step: string, env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
  const child = spawnLogged(process.execPath, [distEntry(app, step)], logFile, env);
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => {
      started.delete(child);
      if (code === 0) resolve();
      else reject(new Error(`${app} ${step} exited with ${code} (log: ${logFile})`));
    }),
  );
}

/** GET /health; the HTTP status, or 0 when nothing answers. */
export async function health(port: number): Promise<number> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}
