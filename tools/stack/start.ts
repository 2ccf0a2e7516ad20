/**
 * `npm start`: checks PostgreSQL and NATS, creates the database if missing, runs every app's
 * migrations, loads the sample catalog into an empty catalog, then runs the four apps until
 * Ctrl-C. Exits non-zero, saying which service and how to start it, when one is missing.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { DEFAULT_PORTS, ensureDatabase, DEFAULT_DATABASE_URL, resolveOperatorTokens } from '@cec/platform';
import { APPS, checkNats, checkPostgres, StackApp, waitHealthy } from './services';
import { startConsole } from './console';

const root = join(__dirname, '..', '..');
const runTs = join(root, 'tools', 'run-ts.js');
const colours: Record<StackApp | 'stack', string> = { catalog: '36', subscription: '35', metering: '33', billing: '32', stack: '1' };

function say(app: StackApp | 'stack', line: string): void {
  const tag = process.stdout.isTTY ? `\x1b[${colours[app]}m[${app}]\x1b[0m` : `[${app}]`;
  process.stdout.write(`${tag} ${line}\n`);
}

function runStep(app: StackApp, script: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runTs, join(root, 'apps', app, 'src', 'cli', script)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (data: Buffer) => data.toString().trimEnd().split('\n').forEach((line) => say(app, line)));
    child.stderr.on('data', (data: Buffer) => data.toString().trimEnd().split('\n').forEach((line) => say(app, line)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${app}: ${script} exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  env['DATABASE_URL'] = env['DATABASE_URL'] || DEFAULT_DATABASE_URL;
  const problems = (await Promise.all([checkPostgres(env['DATABASE_URL']), checkNats(env['NATS_URL'])])).filter((p): p is string => p !== null);
  if (problems.length > 0) {
    for (const problem of problems) say('stack', problem);
    process.exit(1);
  }
  const nodeEnv = (env['NODE_ENV'] ?? 'development') as 'development' | 'production' | 'test';
  const { file } = resolveOperatorTokens(env, nodeEnv);
  if (file) env['OPERATOR_TOKEN_FILE'] = file;

  say('stack', `database ${new URL(env['DATABASE_URL']).pathname.slice(1)}: creating if missing, then migrations`);
  await ensureDatabase(env['DATABASE_URL']);
  for (const app of APPS) await runStep(app, 'migrate.ts', env);
  await runStep('catalog', 'seed.ts', env);

  // STACK_APPS (comma-separated, default all four) starts a subset, e.g. the drain benchmark's
  // metering alone
  const apps = env['STACK_APPS'] ? APPS.filter((app) => env['STACK_APPS']?.split(',').includes(app)) : [...APPS];
  const children = new Map<string, ChildProcess>();
  let stopping = false;
  const stop = (code: number): void => {
    if (stopping) return;
    stopping = true;
    say('stack', 'stopping the apps');
    for (const child of children.values()) child.kill('SIGTERM');
    setTimeout(() => process.exit(code), 5000).unref();
    Promise.all([...children.values()].map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.on('exit', resolve))))).then(() =>
      process.exit(code),
    );
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));

  const ports = apps.map((app) => Number(env[`${app.toUpperCase()}_PORT`] || DEFAULT_PORTS[app]));
  // BILLING_REPLICAS=n (#11): n billing processes sharing the run's work queue; replica i (2..n)
  // listens on BILLING_PORT + 50 × (i - 1)
  const replicas = Math.max(1, Number(env['BILLING_REPLICAS'] || 1));
  const processes: Array<{ app: StackApp; name: string; port: number }> = apps.map((app, i) => ({ app, name: app, port: ports[i] }));
  if (apps.includes('billing')) {
    for (let i = 2; i <= replicas; i += 1) processes.push({ app: 'billing', name: `billing-${i}`, port: ports[apps.indexOf('billing')] + 50 * (i - 1) });
  }
  for (const { app, name, port } of processes) {
    // e.g. BILLING_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof": node flags for one app (profiling)
    const nodeArgs = (env[`${app.toUpperCase()}_NODE_ARGS`] ?? '').split(/\s+/).filter((arg) => arg.length > 0);
    const child = spawn(process.execPath, [...nodeArgs, runTs, join(root, 'apps', app, 'src', 'main.ts')], {
      env: { ...env, [`${app.toUpperCase()}_PORT`]: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const forward = (data: Buffer): void => data.toString().trimEnd().split('\n').forEach((line) => say(app, line));
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    child.on('exit', (code, signal) => {
      if (!stopping) {
        say('stack', `${name} exited unexpectedly (${signal ?? code}); stopping the others`);
        stop(1);
      }
    });
    children.set(name, child);
  }

  const healthy = await Promise.all(processes.map(({ port }) => waitHealthy(port)));
  if (healthy.some((ok) => !ok)) {
    say('stack', `not healthy in time: ${processes.filter((_, i) => !healthy[i]).map(({ name }) => name).join(', ')}`);
    stop(1);
    return;
  }
  if (apps.length === APPS.length) await startConsole(env, (line) => say('stack', line));
  say('stack', apps.length === APPS.length ? 'all four apps are up:' : `the apps asked for are up (${apps.join(', ')}):`);
  processes.forEach(({ name, port }) => say('stack', `  ${name.padEnd(12)} http://127.0.0.1:${port}  (docs: /docs, health: /health)`));
  say('stack', file ? `operator token file: ${file}  (use: Authorization: Bearer $(cat ${file}))` : 'operator tokens: from OPERATOR_TOKENS');
  say('stack', 'Ctrl-C stops them all');
}

main().catch((error: unknown) => {
  say('stack', `failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
