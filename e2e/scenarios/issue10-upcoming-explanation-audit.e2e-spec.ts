// Scenario (issue 10): the upcoming bill of an ended month equals the bill the run then issues, the
// bill explains every cent from the inputs kept with it, and `npm run audit` re-derives every bill
// of the month from those inputs with its independent exact engine: 0 differences.
// Rules: R1.3, R3.5, R4.1-R4.5, R5.1
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { eventually, Platform } from '../support/platform';
import { stackInfo } from '../support/stack-info';

interface Explained {
  lines: Array<{
    kind: string;
    subscriptionId: string;
    daysInPeriod: number;
    listSum: string;
    groups: Array<{ quantity: number; days: number; productCode: string; unitPrice: string; discountRate: string; quantityDays: number }>;
    quantityDays: number;
    amount: string;
    matches: boolean;
  }>;
}

interface AuditReport {
  bills: number;
  lines: number;
  differences: unknown[];
}

function audit(period: string): Promise<AuditReport & { exitCode: number }> {
  const root = join(__dirname, '..', '..');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(root, 'tools/run-ts.js'), 'tools/audit/audit.ts', '--period', period, '--json'],
      { cwd: root, env: { ...process.env, DATABASE_URL: stackInfo().databaseUrl } },
      (error, stdout, stderr) => {
        const exitCode = error ? Number(error.code ?? -1) : 0;
        try {
          resolve({ ...(JSON.parse(stdout) as AuditReport), exitCode });
        } catch {
          reject(new Error(`audit exited ${exitCode}: ${stderr}${stdout}`));
        }
      },
    );
  });
}

describe('issue 10: upcoming bill, explanation and audit through the running platform', () => {
  const platform = new Platform();
  afterAll(() => platform.close());

  it('#10 upcoming bill equals the real bill, the explanation matches every line, and the audit of the month finds 0 differences', async () => {
    const basic = await platform.product('agent', [['2026-01-01', '50.00'], ['2026-02-15', '55.00']], 'x10b');
    const pro = await platform.product('agent', [['2026-01-01', '80.00']], 'x10p');
    const account = await platform.account('issue 10');
    const sub = await platform.subscribe(account, basic, 10, '2026-02-03T09:30:00+08:00');
    await platform.change(sub, { effectiveAt: '2026-02-10T10:00:00+08:00', quantity: 14 });
    await platform.change(sub, { effectiveAt: '2026-02-20T14:00:00+08:00', productCode: pro });
    await platform.discount({ accountId: account, productCode: basic, rate: '0.15', effectiveFrom: '2026-02-05' });
    // 7 days x 10 + 10 days x 14 + 9 days x 14
    await platform.usage(sub, '2026-02', 336);

    // the edition change does not alter the quantity-days waited for above: wait until metering has
    // it too (the upcoming bill labels the line with the product held last, R4.2), so that nothing
    // changes between the preview and the run
    const upcoming = await eventually('the upcoming bill to see the edition change', async () => {
      const response = await platform.billing.get<{ total: string; running: boolean; lines: Array<{ productCode: string }> }>(
        `/v1/accounts/${account}/upcoming-bill?period=2026-02`,
      );
      return response.status === 200 && response.body.lines[0]?.productCode === pro ? response : undefined;
    });
    expect(upcoming.status).toBe(200);
    expect(upcoming.body.running).toBe(false);

    const run = await platform.run('2026-02');
    expect(run).toMatchObject({ status: 'completed' });
    const progress = (await platform.billing.get<Record<string, unknown>>(`/v1/billing-runs/${run.id}`)).body;
    expect(progress).toMatchObject({ accountsRemaining: 0, estimatedCompletionAt: null });

    const [bill] = await platform.bills(account, '2026-02');
    expect(bill.lines).toEqual(upcoming.body.lines);
    expect(bill.total).toBe(upcoming.body.total);
    expect((await platform.billing.get(`/v1/accounts/${account}/upcoming-bill?period=2026-02`)).body).toMatchObject({ code: 'PERIOD_ALREADY_BILLED' });

    const explanation = await platform.billing.get<Explained>(`/v1/bills/${bill.id}/explanation`);
    expect(explanation.status).toBe(200);
    expect(explanation.body.lines.every((line) => line.matches)).toBe(true);
    expect(explanation.body.lines[0].groups.map((group) => [group.quantity, group.days, group.productCode, group.unitPrice, group.discountRate])).toEqual([
      [10, 2, basic, '50', '0'],
      [10, 5, basic, '50', '0.15'],
      [14, 5, basic, '50', '0.15'],
      [14, 5, basic, '55', '0.15'],
      [14, 9, pro, '80', '0'],
    ]);

    const report = await audit('2026-02');
    expect(report.bills).toBeGreaterThanOrEqual(1);
    expect(report.differences).toEqual([]);
    expect(report.exitCode).toBe(0);
  });
});
