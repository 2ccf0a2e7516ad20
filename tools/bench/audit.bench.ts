/**
 * Issue 10: the speed of `npm run audit` on the billing benchmark's bills. Runs the command itself
 * (`node tools/run-ts.js tools/audit/audit.ts --period P --json`, a process of its own, as an
 * operator runs it) against the benchmark's database right after the billing run, and reports the
 * bills and lines it checked, its differences, the engine's seconds and bills/s (its own clock,
 * reading and re-deriving) and the command's wall time (Node and TypeScript start-up included).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import type { StackInfo } from '../stack/private-stack';

const root = join(__dirname, '..', '..');

export interface AuditBenchResult {
  period: string;
  bills: number;
  lines: number;
  differences: number;
  /** The audit engine's own time (reading the bills and re-deriving them). */
  seconds: number;
  billsPerSecond: number;
  /** The command from spawn to exit. */
  commandSeconds: number;
  exitCode: number;
  markdown: string;
}

/** The month of the newest run in the stack's database (the benchmark's run). */
async function newestRunPeriod(databaseUrl: string): Promise<string> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ period: string }>('select period from billing.billing_run order by started_at desc limit 1');
    if (rows.length === 0) throw new Error('no billing run to audit');
    return rows[0].period.trim();
  } finally {
    await db.end();
  }
}

export async function benchAuditCommand(info: StackInfo, period?: string): Promise<AuditBenchResult> {
  const month = period ?? (await newestRunPeriod(info.databaseUrl));
  const started = performance.now();
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolveRun, reject) => {
    const child = spawn(process.execPath, [join(root, 'tools/run-ts.js'), join(root, 'tools/audit/audit.ts'), '--period', month, '--json'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: info.databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (data: Buffer) => (out += data.toString()));
    child.stderr.on('data', (data: Buffer) => (err += data.toString()));
    child.on('error', reject);
    child.on('exit', (exitCode) => resolveRun({ code: exitCode ?? -1, stdout: out, stderr: err }));
  });
  const commandSeconds = (performance.now() - started) / 1000;
  if (code !== 0 && code !== 1) throw new Error(`npm run audit exited ${code}: ${stderr.slice(-2000)}`);
  const report = JSON.parse(stdout) as { bills: number; lines: number; differences: unknown[]; seconds: number; billsPerSecond: number };
  const fmt = (value: number, digits = 0): string => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const markdown = `### \`npm run audit\` on the run's bills (issue 10)

Right after the run, on the same database: \`npm run audit -- --period ${month} --json\` (its own
process), re-deriving every bill of the month from its kept inputs with the independent exact
engine (BigInt rationals, no production rating code).

| | figure |
| --- | ---: |
| bills checked | ${fmt(report.bills)} |
| lines checked | ${fmt(report.lines)} |
| **differences** | **${fmt(report.differences.length)}** |
| audit time (reading and re-deriving, the engine's clock) | ${fmt(report.seconds, 1)} s |
| **bills per second** | **${fmt(report.billsPerSecond)}** |
| the command, start to exit (Node and TypeScript start-up included) | ${fmt(commandSeconds, 1)} s |
| exit code (0: no difference) | ${code} |`;
  return {
    period: month,
    bills: report.bills,
    lines: report.lines,
    differences: report.differences.length,
    seconds: report.seconds,
    billsPerSecond: report.billsPerSecond,
    commandSeconds,
    exitCode: code,
    markdown,
  };
}
