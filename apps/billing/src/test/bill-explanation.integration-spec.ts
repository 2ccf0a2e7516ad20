import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { NatsConnection } from 'nats';
import { Dec, Money } from '@cec/kernel';
import { connectNats, resetSchema, RunningTestApp, sql, TEST_DATABASE_URL, useTestEnvironment } from '@cec/testing';
import { BILLING_ORM } from '../billing.module-def';
import { days, FakeCatalog, FakeMetering } from './support/fake-apps';
import { BillBody, BillLineBody, billsOf, createAccount, resetBillingStreams, RunBody, runPeriod, startBilling, uniqueId, waitFor } from './support/billing-harness';

useTestEnvironment();

interface UpcomingBody {
  accountId: string;
  period: string;
  currency: string;
  asOf: string;
  countedThrough: string;
  running: boolean;
  total: string;
  lines: BillLineBody[];
}

interface GroupBody {
  fromDate: string;
  toDate: string;
  dates: { from: string; to: string }[];
  days: number;
  quantity: number;
  productCode: string;
  unitPrice: string;
  discountRate: string;
  quantityDays: number;
  listSum: string;
  netSum: string;
  listAmount: string;
  netAmount: string;
}

interface ExplainedLineBody {
  position: number;
  kind: string;
  subscriptionId: string;
  forPeriod: string;
  daysInPeriod: number;
  groups: GroupBody[];
  ratedQuantityDays: number;
  listSum: string;
  netSum: string;
  listExact: string;
  netExact: string;
  ratedListAmount: string;
  ratedAmount: string;
  billedBefore?: { quantityDays: number; listAmount: string; discountAmount: string; amount: string };
  quantityDays: number;
  listAmount: string;
  discountAmount: string;
  amount: string;
  matches: boolean;
}

interface ExplanationBody {
  billId: string;
  total: string;
  lines: ExplainedLineBody[];
}

interface AuditReport {
  bills: number;
  lines: number;
  differences: { billId: string; position: number | null; field: string; stored: string; derived: string }[];
}

interface ProgressBody extends RunBody {
  accountsFailed: number;
  accountsPlanned: number;
  accountsRemaining: number;
  accountsSkipped: number;
  ratePerSecond: number;
  windowSeconds: number;
  estimatedCompletionAt: string | null;
}

/** Issue 10: the upcoming bill, the inputs kept per bill, the explanation, the audit and run progress. */
describe('billing: issue 10 upcoming bill, explanation, audit and run progress (PostgreSQL + NATS)', () => {
  let nc: NatsConnection;
  let running: RunningTestApp;
  let metering: FakeMetering;
  let catalog: FakeCatalog;
  let acc: string;
  let idle: string;

  beforeAll(async () => {
    await resetSchema(BILLING_ORM);
    nc = await connectNats();
    await resetBillingStreams(nc);
    metering = new FakeMetering(nc);
    catalog = new FakeCatalog(nc);
    running = await startBilling();
    // R1.3 a price change in the month; R3.5 an edition change day; R5 a product discount over part of it
    catalog.price('x10-basic', '30.00');
    catalog.price('x10-basic', '33.33', '2025-03-15');
    catalog.price('x10-pro', '45.50');
    acc = uniqueId('x10');
    idle = uniqueId('x10-idle');
    await createAccount(nc, api(), acc);
    await createAccount(nc, api(), idle);
    expect((await api().post('/v1/discounts', { accountId: acc, productCode: 'x10-basic', rate: '0.15', effectiveFrom: '2025-03-05', effectiveTo: '2025-03-26' })).status).toBe(201);
    expect((await api().post('/v1/discounts', { accountId: acc, rate: '0.0725', effectiveFrom: '2025-03-20' })).status).toBe(201);
    metering.set(acc, `${acc}-s1`, '2025-03', [...days('2025-03', 1, 10, 5, 'x10-basic'), ...days('2025-03', 11, 11, 7, 'x10-basic', 'x10-pro'), ...days('2025-03', 12, 31, 7, 'x10-pro')]);
    metering.set(acc, `${acc}-s2`, '2025-03', days('2025-03', 3, 20, 2, 'x10-basic'));
    metering.set(acc, `${acc}-s1`, '2025-04', days('2025-04', 1, 30, 3, 'x10-pro'));
  });

  afterAll(async () => {
    await running?.close();
    metering?.close();
    catalog?.close();
    await nc?.drain();
  });

  const api = (): RunningTestApp['api'] => running.api;

  async function upcoming(accountId: string, period?: string): Promise<{ status: number; body: UpcomingBody & { code?: string; message?: string } }> {
    return api().get<UpcomingBody & { code?: string; message?: string }>(`/v1/accounts/${accountId}/upcoming-bill${period ? `?period=${period}` : ''}`);
  }

  /** `npm run audit -- --period P --json` against the test database: its exit code and report. */
  function audit(period: string): Promise<AuditReport & { exitCode: number }> {
    const root = join(__dirname, '..', '..', '..', '..');
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [join(root, 'tools/run-ts.js'), 'tools/audit/audit.ts', '--period', period, '--schema', 'billing', '--json'],
        { cwd: root, env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL } },
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

  function expectConsistentProgress(run: ProgressBody): void {
    expect(run.accountsPlanned).toBe(run.accountsTotal);
    expect(run.accountsProcessed + run.accountsFailed + run.accountsSkipped + run.accountsRemaining).toBe(run.accountsPlanned);
    if (run.status !== 'running') {
      expect(run.accountsRemaining).toBe(0);
      expect(run.estimatedCompletionAt).toBeNull();
    } else if (run.accountsRemaining > 0 && run.ratePerSecond > 0) {
      expect(run.estimatedCompletionAt).toMatch(/\+08:00$/);
    }
    expect(run.ratePerSecond).toBeGreaterThanOrEqual(0);
  }

  let march: BillBody;
  let preview: UpcomingBody;

  it('#10 upcoming bill equals the real bill: an ended month with nothing changing, line for line', async () => {
    const answer = await upcoming(acc, '2025-03');
    expect(answer.status).toBe(200);
    preview = answer.body;
    expect(preview).toMatchObject({ accountId: acc, period: '2025-03', currency: 'USD', countedThrough: '2025-03-31', running: false });
    expect(preview.lines).toHaveLength(2);
    expect(preview.lines.some((line) => line.discountAmount !== '0.00')).toBe(true);
    // nothing stored
    expect(await sql('select 1 from billing.account_period where account_id = $1', [acc])).toEqual([]);
    expect(await sql('select 1 from billing.bill where account_id = $1', [acc])).toEqual([]);
    // an account without usage: no line, nothing to bill (R4.5)
    expect((await upcoming(idle, '2025-03')).body).toMatchObject({ lines: [], total: '0.00' });

    const run = (await runPeriod(api(), '2025-03')) as ProgressBody;
    expect(run.status).toBe('completed');
    [march] = await billsOf(api(), acc, '2025-03');
    expect(march.lines).toEqual(preview.lines);
    expect(march.total).toBe(preview.total);
  });

  it('#10 upcoming bill: a month already billed is 409 PERIOD_ALREADY_BILLED, a month not begun 409 PERIOD_NOT_STARTED, unknown account 404, bad period 400', async () => {
    expect(await upcoming(acc, '2025-03')).toMatchObject({ status: 409, body: { code: 'PERIOD_ALREADY_BILLED' } });
    expect(await upcoming(acc, '2999-01')).toMatchObject({ status: 409, body: { code: 'PERIOD_NOT_STARTED' } });
    expect(await upcoming('x10-nobody', '2025-03')).toMatchObject({ status: 404, body: { code: 'ACCOUNT_NOT_FOUND' } });
    const bad = await upcoming(acc, '2025-13');
    expect(bad).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    expect(bad.body.message).toMatch(/period/);
    expect((await api().get(`/v1/accounts/${acc}/upcoming-bill?period[a]=1`)).status).toBe(400);
    expect((await api().get(`/v1/accounts/${acc}/upcoming-bill?month=2025-04`)).status).toBe(400);
    // default: the running month (UTC+8), counted through today
    const current = await upcoming(acc);
    expect(current.status).toBe(200);
    expect(current.body.running).toBe(true);
    expect(current.body.countedThrough.slice(0, 7)).toBe(current.body.period);
  });

  it('#10 upcoming bill equals the real bill with late usage: the adjustment of an earlier month (R6.2) is previewed as the run issues it', async () => {
    metering.set(acc, `${acc}-s2`, '2025-03', days('2025-03', 3, 25, 2, 'x10-basic'));
    const answer = await upcoming(acc, '2025-04');
    expect(answer.status).toBe(200);
    expect(answer.body.lines.map((line) => line.kind)).toEqual(['usage', 'adjustment']);
    await runPeriod(api(), '2025-04');
    const [april] = await billsOf(api(), acc, '2025-04');
    expect(april.lines).toEqual(answer.body.lines);
    expect(april.total).toBe(answer.body.total);
  });

  it('#10 each bill keeps its inputs (bill_input, one row per bill, same transaction)', async () => {
    const [row] = await sql<{ bills: string; inputs: string; orphans: string }>(
      `select (select count(*) from billing.bill)::text as bills, (select count(*) from billing.bill_input)::text as inputs,
              (select count(*) from billing.bill b left join billing.bill_input i on i.bill_id = b.id where i.bill_id is null)::text as orphans`,
    );
    expect(row).toEqual({ bills: row.bills, inputs: row.bills, orphans: '0' });
    const [kept] = await sql<{ input: { lines: { runs: { from: string; to: string; unitPrice: string; rate: string }[] }[]; prices: unknown[] } }>(
      'select input from billing.bill_input where bill_id = $1',
      [march.id],
    );
    expect(kept.input.lines).toHaveLength(march.lines.length);
    expect(kept.input.prices).toEqual(
      expect.arrayContaining([
        { productCode: 'x10-basic', unitPrice: '30', effectiveFrom: '2020-01-01', currency: 'USD' },
        { productCode: 'x10-basic', unitPrice: '33.33', effectiveFrom: '2025-03-15', currency: 'USD' },
      ]),
    );
  });

  it('#10 bill explanation: per line the days grouped by (quantity, product, unit price, rate); exact sums add up to the unrounded amounts and round (R4.4) to the stored ones', async () => {
    const bills = [march, ...(await billsOf(api(), acc, '2025-04'))];
    for (const bill of bills) {
      const answer = await api().get<ExplanationBody>(`/v1/bills/${bill.id}/explanation`);
      expect(answer.status).toBe(200);
      expect(answer.body.lines).toHaveLength(bill.lines.length);
      let total = new Dec(0);
      answer.body.lines.forEach((line, index) => {
        const stored = bill.lines[index];
        expect(line).toMatchObject({ position: index + 1, ...stored, matches: true });
        let listSum = new Dec(0);
        let netSum = new Dec(0);
        let quantityDays = 0;
        for (const group of line.groups) {
          expect(group.quantityDays).toBe(group.quantity * group.days);
          expect(new Dec(group.listSum).eq(new Dec(group.unitPrice).times(group.quantityDays))).toBe(true);
          expect(new Dec(group.netSum).eq(new Dec(group.listSum).times(new Dec(1).minus(group.discountRate)))).toBe(true);
          expect(group.dates.reduce((sum, range) => sum + Number(range.to.slice(8)) - Number(range.from.slice(8)) + 1, 0)).toBe(group.days);
          listSum = listSum.plus(group.listSum);
          netSum = netSum.plus(group.netSum);
          quantityDays += group.quantityDays;
        }
        expect(listSum.toString()).toBe(line.listSum);
        expect(netSum.toString()).toBe(line.netSum);
        expect(listSum.dividedBy(line.daysInPeriod).toString()).toBe(line.listExact);
        expect(netSum.dividedBy(line.daysInPeriod).toString()).toBe(line.netExact);
        expect(Money.round(new Dec(line.listExact)).toString()).toBe(line.ratedListAmount);
        expect(Money.round(new Dec(line.netExact)).toString()).toBe(line.ratedAmount);
        expect(quantityDays).toBe(line.ratedQuantityDays);
        const billed = line.billedBefore;
        if (line.kind === 'usage') {
          expect(billed).toBeUndefined();
          expect({ quantityDays, listAmount: line.ratedListAmount, amount: line.ratedAmount }).toEqual({
            quantityDays: stored.quantityDays,
            listAmount: stored.listAmount,
            amount: stored.amount,
          });
        } else {
          expect(billed).toBeDefined();
          expect(new Dec(line.ratedAmount).minus(billed?.amount ?? '0').toFixed(2)).toBe(stored.amount);
          expect(quantityDays - (billed?.quantityDays ?? 0)).toBe(stored.quantityDays);
        }
        total = total.plus(line.amount);
      });
      expect(total.toFixed(2)).toBe(bill.total);
    }
    // the March line of s1 has several groups: the price change, the edition change, the discounts
    const explanation = (await api().get<ExplanationBody>(`/v1/bills/${march.id}/explanation`)).body;
    const s1 = explanation.lines.find((line) => line.subscriptionId === `${acc}-s1`) as ExplainedLineBody;
    expect(s1.groups.map((group) => [group.fromDate, group.toDate, group.quantity, group.productCode, group.unitPrice, group.discountRate])).toEqual([
      ['2025-03-01', '2025-03-04', 5, 'x10-basic', '30', '0'],
      ['2025-03-05', '2025-03-10', 5, 'x10-basic', '30', '0.15'],
      ['2025-03-11', '2025-03-19', 7, 'x10-pro', '45.5', '0'],
      ['2025-03-20', '2025-03-31', 7, 'x10-pro', '45.5', '0.0725'],
    ]);
    expect((await api().get('/v1/bills/no-such-bill/explanation')).status).toBe(404);
  });

  it('#10 audit: re-derives every bill of the period from its kept inputs (independent BigInt rationals): 0 differences', async () => {
    for (const period of ['2025-03', '2025-04']) {
      const report = await audit(period);
      expect(report.bills).toBe(Number((await sql<{ n: string }>('select count(*)::text as n from billing.bill where period = $1', [period]))[0].n));
      expect(report.bills).toBeGreaterThan(0);
      expect(report.lines).toBeGreaterThan(0);
      expect(report.differences).toEqual([]);
      expect(report.exitCode).toBe(0);
    }
  });

  it('#10 audit catches a tampered line: one stored amount raised by 0.01 is reported as exactly that difference', async () => {
    const [line] = await sql<{ amount: string }>('select amount::text from billing.bill_line where bill_id = $1 and position = 1', [march.id]);
    await sql('update billing.bill_line set amount = amount + 0.01 where bill_id = $1 and position = 1', [march.id]);
    try {
      const report = await audit('2025-03');
      const tampered = new Dec(line.amount).plus('0.01').toFixed(2);
      expect(report.exitCode).toBe(1);
      expect(report.differences).toEqual([
        { billId: march.id, position: 1, field: 'amount', stored: tampered, derived: line.amount },
        // R4.5: the stored lines no longer add up to the stored total either
        { billId: march.id, position: null, field: 'total (sum of stored lines)', stored: march.total, derived: new Dec(march.total).plus('0.01').toFixed(2) },
      ]);
      // the explanation shows it as well
      const explanation = (await api().get<ExplanationBody>(`/v1/bills/${march.id}/explanation`)).body;
      expect(explanation.lines[0].matches).toBe(false);
    } finally {
      await sql('update billing.bill_line set amount = amount - 0.01 where bill_id = $1 and position = 1', [march.id]);
    }
    expect((await audit('2025-03')).differences).toEqual([]);
  });

  it('#10 run progress: planned = processed + failed + skipped + remaining at every poll, a rate while running, ETA null after completion', async () => {
    const accounts: string[] = [];
    for (let index = 0; index < 12; index += 1) {
      const id = uniqueId('x10p');
      await createAccount(nc, api(), id);
      metering.set(id, `${id}-s1`, '2025-05', days('2025-05', 1, 31, 1, 'x10-pro'));
      accounts.push(id);
    }
    metering.delayMs = 150;
    try {
      const started = await api().post<ProgressBody>('/v1/billing-runs', { period: '2025-05' });
      expect(started.status).toBe(202);
      expectConsistentProgress(started.body);
      const snapshots: ProgressBody[] = [];
      const last = await waitFor(async () => {
        const answer = await api().get<ProgressBody>(`/v1/billing-runs/${started.body.id}`);
        snapshots.push(answer.body);
        return answer.body.status !== 'running' ? answer.body : undefined;
      }, 'the run to end');
      for (const snapshot of snapshots) expectConsistentProgress(snapshot);
      expect(last).toMatchObject({ status: 'completed', accountsRemaining: 0, accountsSkipped: 0, estimatedCompletionAt: null });
      expect(last.accountsProcessed).toBe(last.accountsPlanned);
      expect(last.accountsPlanned).toBeGreaterThanOrEqual(accounts.length);
      expect(last.ratePerSecond).toBeGreaterThan(0);
    } finally {
      metering.delayMs = 0;
    }
  });
});
