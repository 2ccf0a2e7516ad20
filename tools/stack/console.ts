/**
 * The operator console (issue 12) in `npm start`: builds apps/console when its output is missing or
 * older than its sources (the Nx `console:build` target: vite build + the server compiled), then
 * runs its server (dist/apps/console/server/main.js) on CONSOLE_PORT (default 3000), proxying
 * /api/<app> to the four apps' ports. CONSOLE_PORT=0 leaves the console out.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { nxBin, outputLines } from './output-lines';
import { waitHealthy } from './services';

const root = join(__dirname, '..', '..');
const source = join(root, 'apps', 'console');
const output = join(root, 'dist', 'apps', 'console');
const stamp = join(output, '.built');
const serverEntry = join(output, 'server', 'main.js');

function newestSourceMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return /\.(spec|e2e-spec)\.ts$/.test(path) ? 0 : stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestSourceMtime(join(path, name))));
}

/** True when the built console is missing or older than one of its sources. */
export function consoleBuildIsStale(): boolean {
  if (!existsSync(stamp) || !existsSync(serverEntry) || !existsSync(join(output, 'client', 'index.html'))) return true;
  const inputs = ['src', 'index.html', 'vite.config.mts', 'tsconfig.json', 'tsconfig.server.json', 'project.json'].map(
    (name) => join(source, name),
  );
  const newest = Math.max(...inputs.filter((path) => existsSync(path)).map(newestSourceMtime));
  return newest > statSync(stamp).mtimeMs;
}

function run(command: string, args: string[], log: (line: string) => void, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (data: Buffer): void => outputLines(data).forEach((line) => log(`  ${line}`));
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited with ${code}`))));
  });
}

/**
 * Builds the console if needed and starts its server; resolves with the server process once it
 * answers /health (null when CONSOLE_PORT=0, or when it could not start: the apps run on, the
 * reason is logged). The server is stopped when this process exits.
 */
export async function startConsole(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<ChildProcess | null> {
  const port = Number(env['CONSOLE_PORT'] || 3000);
  if (port === 0) {
    log('console: not started (CONSOLE_PORT=0)');
    return null;
  }
  try {
    if (consoleBuildIsStale()) {
      log('console: building apps/console (nx run console:build)');
      await run(process.execPath, [nxBin(root), 'run', 'console:build', '--outputStyle=static'], log, {
        ...env,
        NX_DAEMON: 'false',
      });
      // Nx may restore an identical output from its cache without rewriting it: mark it fresh
      const now = new Date();
      utimesSync(stamp, now, now);
    }
  } catch (error) {
    log(
      `console: the build failed (${error instanceof Error ? error.message : String(error)}); ` +
        'the apps run without the console',
    );
    return null;
  }
  const child = spawn(process.execPath, [serverEntry], {
    cwd: root,
    env: { ...env, CONSOLE_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const forward = (data: Buffer): void =>
    data
      .toString()
      .trimEnd()
      .split('\n')
      .forEach((line) => log(`console: ${line}`));
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  process.on('exit', () => child.kill('SIGTERM'));
  const exited = new Promise<false>((resolve) => child.once('exit', () => resolve(false)));
  const healthy = await Promise.race([waitHealthy(port, 20_000), exited]);
  if (!healthy) {
    log(`console: did not come up on port ${port}; the apps run without it`);
    child.kill('SIGTERM');
    return null;
  }
  child.once('exit', (code, signal) => log(`console: the server exited (${signal ?? code})`));
  const host = env['CONSOLE_HOST'] && env['CONSOLE_HOST'] !== '0.0.0.0' ? env['CONSOLE_HOST'] : '127.0.0.1';
  log(`console: http://${host}:${port}  (sign in with the operator token)`);
  return child;
}
