/**
 * Issue 10: `npm run audit -- --period YYYY-MM [--schema billing] [--json]`
 *
 * Re-derives every bill of the period from the inputs kept with it, with an independent exact
 * engine (BigInt rationals, tools/audit/audit-engine.ts), and reports the bills and lines checked
 * and every difference. Exit code 0: no difference; 1: differences; 2: usage or connection error.
 * Uses DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/cec_billing) and
 * BILLING_DB_SCHEMA (default billing), like the billing app.
 */
import { Client } from 'pg';
import { auditPeriod } from './audit-db';

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  if (index >= 0) return process.argv[index + 1];
  const inline = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  return inline?.slice(name.length + 3);
}

async function main(): Promise<number> {
  const period = option('period');
  if (!period) {
    process.stderr.write('usage: npm run audit -- --period YYYY-MM [--schema billing] [--json]\n');
    return 2;
  }
  const schema = option('schema') ?? process.env.BILLING_DB_SCHEMA ?? 'billing';
  const db = new Client({ connectionString: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/cec_billing' });
  await db.connect();
  try {
    const report = await auditPeriod(db, schema, period);
    if (process.argv.includes('--json')) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      process.stdout.write(
        `audit ${period}: ${report.bills} bills, ${report.lines} lines checked in ${report.seconds.toFixed(2)} s (${report.billsPerSecond} bills/s); ${report.differences.length} difference(s)\n`,
      );
      for (const difference of report.differences.slice(0, 1000)) {
        const where = difference.position === null ? difference.billId : `${difference.billId} line ${difference.position}`;
        process.stdout.write(`  ${where}: ${difference.field} stored ${difference.stored}, re-derived ${difference.derived}\n`);
      }
      if (report.differences.length > 1000) process.stdout.write(`  … and ${report.differences.length - 1000} more\n`);
    }
    return report.differences.length === 0 ? 0 : 1;
  } finally {
    await db.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`audit failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
