/**
 * Issue 10: `npm run run-progress -- <runId>` or `npm run run-progress -- --period YYYY-MM`
 *
 * Shows a live progress bar of a billing run (the newest run of the period with --period) until it
 * ends. Uses BILLING_PORT (default the billing app's port) and the operator token (OPERATOR_TOKENS,
 * else the token file `npm start` writes). Exit code 0 when the run completed, 1 otherwise.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_OPERATOR_TOKEN_FILE, DEFAULT_PORTS } from '@cec/platform';
import { followRun, RunProgressBody } from './run-progress-bar';

const root = join(__dirname, '..', '..');
const base = `http://127.0.0.1:${Number(process.env['BILLING_PORT'] || DEFAULT_PORTS.billing)}`;

function readToken(): string {
  const configured = (process.env['OPERATOR_TOKENS'] ?? '').split(',')[0]?.trim();
  if (configured) return configured;
  const file = join(root, process.env['OPERATOR_TOKEN_FILE'] || DEFAULT_OPERATOR_TOKEN_FILE);
  if (!existsSync(file)) throw new Error(`no OPERATOR_TOKENS and no token file at ${file}: start the platform with npm start first`);
  return readFileSync(file, 'utf8').trim();
}

async function get<T>(path: string, token: string): Promise<T> {
  const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const periodIndex = args.indexOf('--period');
  let runId = args.find((arg, index) => !arg.startsWith('--') && !(periodIndex >= 0 && index === periodIndex + 1));
  if (!runId && periodIndex < 0) {
    process.stderr.write('usage: npm run run-progress -- <runId> | --period YYYY-MM\n');
    return 2;
  }
  const token = readToken();
  if (periodIndex >= 0) {
    const period = args[periodIndex + 1] ?? '';
    const runs = await get<RunProgressBody[]>(`/v1/billing-runs?period=${encodeURIComponent(period)}`, token);
    if (runs.length === 0) throw new Error(`no run of ${period}`);
    runId = runs[0].id; // newest first
  }
  if (!runId) {
    process.stderr.write('usage: npm run run-progress -- <runId> | --period YYYY-MM\n');
    return 2;
  }
  const id = runId;
  const last = await followRun(() => get<RunProgressBody>(`/v1/billing-runs/${encodeURIComponent(id)}`, token), (text) => process.stdout.write(text), process.stdout.isTTY === true);
  process.stdout.write(`run ${last.id} (${last.period}) ${last.status}: ${last.billsIssued} bill(s), total ${last.total}\n`);
  return last.status === 'completed' ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`run-progress failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
