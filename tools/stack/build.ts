/**
 * The compiled apps: `npm run build` (Nx `build` targets, webpack via `apps/<app>/webpack.config.js`)
 * writes `dist/apps/<app>/main.js` and one file per CLI step (`migrate.js`, `seed.js`). Whoever runs
 * the apps (`npm start`, the private stacks, the chaos suite) calls `ensureBuilt` first: it builds
 * the apps whose output is missing or older than any of their sources.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { nxBin, outputLines } from './output-lines';

const root = join(__dirname, '..', '..');

/** Files outside `apps/<app>` and `libs` that change what a build produces. */
const SHARED_INPUTS = ['tsconfig.base.json', 'package-lock.json', 'nx.json', 'tools/build/node-app.webpack.js'];
const SKIPPED_DIRECTORIES = new Set(['node_modules', 'test']);
const TEST_FILE = /\.(spec|integration-spec)\.ts$/;

/** The compiled file of an app's entry point: `main` (the server) or a CLI step (`migrate`, `seed`). */
export function distEntry(app: string, entry = 'main'): string {
  return join(root, 'dist', 'apps', app, `${entry}.js`);
}

/** The CLI steps an app has (`apps/<app>/src/cli/<step>.ts`), each compiled to `dist/apps/<app>/<step>.js`. */
function cliSteps(app: string): string[] {
  const dir = join(root, 'apps', app, 'src', 'cli');
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((file) => file.endsWith('.ts') && !TEST_FILE.test(file))
        .map((file) => file.slice(0, -3))
    : [];
}

/** The newest modification time (ms) of the source files under `dir` (tests excluded). */
function newestSource(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) newest = Math.max(newest, newestSource(path));
    } else if (!TEST_FILE.test(entry.name)) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/**
 * The apps whose compiled output is missing or older than a source it is built from: the app's
 * own files, every library (an app bundles the ones it imports; all are counted, to stay simple
 * and safe), the root TypeScript settings and the lock file.
 */
export function staleApps(apps: readonly string[]): string[] {
  const shared = Math.max(
    newestSource(join(root, 'libs')),
    ...SHARED_INPUTS.map((file) => (existsSync(join(root, file)) ? statSync(join(root, file)).mtimeMs : 0)),
  );
  return apps.filter((app) => {
    const outputs = ['main', ...cliSteps(app)].map((entry) => distEntry(app, entry));
    if (outputs.some((file) => !existsSync(file))) return true;
    const oldestOutput = Math.min(...outputs.map((file) => statSync(file).mtimeMs));
    return Math.max(shared, newestSource(join(root, 'apps', app))) > oldestOutput;
  });
}

/**
 * Builds the given apps when their output is missing or stale (`nx run-many -t build`, which also
 * restores unchanged builds from Nx's cache); `log` receives the build's output line by line.
 */
export async function ensureBuilt(apps: readonly string[], log: (line: string) => void): Promise<void> {
  const stale = staleApps(apps);
  if (stale.length === 0) return;
  log(`building ${stale.join(', ')} (compiled output missing or older than its sources): nx run-many -t build`);
  const nx = nxBin(root);
  const child = spawn(
    process.execPath,
    [nx, 'run-many', '-t', 'build', `--projects=${stale.join(',')}`, '--outputStyle=stream'],
    {
      cwd: root,
      env: {
        ...process.env,
        NX_DAEMON: 'false',
        NX_TUI: 'false',
        ...(process.stdout.isTTY ? {} : { FORCE_COLOR: '0' }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const forward = (data: Buffer): void => outputLines(data).forEach(log);
  child.stdout.on('data', forward);
  child.stderr.on('data', forward);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`the build failed (nx run-many -t build exited with ${code})`);
  // Nx leaves outputs that already match its cache untouched (a checkout that changed mtimes but not
  // contents): mark them as current so that the next start does not ask again.
  const now = new Date();
  for (const app of stale) {
    for (const file of ['main', ...cliSteps(app)].map((entry) => distEntry(app, entry))) {
      if (!existsSync(file)) throw new Error(`the build wrote no ${file}`);
      utimesSync(file, now, now);
    }
  }
}
