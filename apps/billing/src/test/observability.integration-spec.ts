import type { NatsConnection } from 'nats';
import { Client } from 'pg';
import { STREAMS, SUBJECTS } from '@cec/contracts';
import { CORRELATION_HEADER, JetStreamService, withOrm } from '@cec/platform';
import { connectNats, resetSchema, RunningTestApp, sql, TEST_DATABASE_URL, TEST_OPERATOR_TOKEN, useTestEnvironment } from '@cec/testing';
import { BILLING_ORM } from '../billing.module-def';
import { JetStreamJobQueue } from '../messaging/billing.gateways';
import { resetBillingStreams, startBilling, uniqueId } from './support/billing-harness';

useTestEnvironment();

/** The value of one sample of the Prometheus text, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

describe('#10 metrics billing: run gauges and bills by currency from the database; a run\'s correlation id is its run id', () => {
  let running: RunningTestApp;
  let nc: NatsConnection;

  beforeAll(async () => {
    nc = await connectNats();
    await resetSchema(BILLING_ORM);
    await resetBillingStreams(nc);
    running = await startBilling({ run: { consumeJobs: false } });
  }, 60_000);

  afterAll(async () => {
    await running?.close();
    await nc?.close();
  });

  async function scrape(): Promise<string> {
    const response = await fetch(`${running.api.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` } });
    expect(response.status).toBe(200);
    return response.text();
  }

  it('#10 #11 metrics billing-run gauges (planned, billed, failed, rate) and bills issued / amount billed by currency, from the bills\' tally (backfilled by 0012)', async () => {
    for (const id of ['obs-a', 'obs-b', 'obs-c', 'obs-d', 'obs-e']) {
      await sql(`insert into billing.account (id, name, currency, created_at) values ($1, $1, $2, now())`, [id, id === 'obs-e' ? 'USD' : 'CNY']);
    }
    await sql(
      `insert into billing.billing_run (id, period, attempt, trigger, status, accounts_total, jobs_total, started_at)
       values ('run-obs', '2026-03', 1, 'operator', 'running', 5, 2, now() - interval '10 seconds')`,
    );
    await sql(`insert into billing.billing_run_job (run_id, batch, account_ids, status) values ('run-obs', 1, '{obs-a,obs-b,obs-e}', 'done'), ('run-obs', 2, '{obs-c,obs-d}', 'failed')`);
    const bills: Array<[string, string, string]> = [
      ['obs-a', 'CNY', '100.10'],
      ['obs-b', 'CNY', '0.25'],
      ['obs-e', 'USD', '7.00'],
    ];
    for (const [account, currency, total] of bills) {
      await sql(
        `insert into billing.bill (id, account_id, period, run_id, currency, total, paid_amount, outstanding_amount, status, issued_at)
         values ($1, $2, '2026-03', 'run-obs', $3, $4::numeric, 0, $4::numeric, 'unpaid', now())`,
        [`bill-${account}`, account, currency, total],
      );
    }
    // the run's progress as its batch wrote it, with its bills (#11: one run_progress row per batch)
    await sql(`insert into billing.run_progress (run_id, processed, billed, total) values ('run-obs', 3, 3, 107.35)`);
    // these bills were written outside the platform's paths, so without their tally: migration 0012
    // undone and applied again backfills it from the bills, which is what the scrape reads (#11)
    expect(await sql(`select 1 from billing.bill_tally`)).toHaveLength(0);
    await withOrm({ ...BILLING_ORM, databaseUrl: TEST_DATABASE_URL, schema: 'billing' }, async (orm) => {
      const only = { migrations: ['Migration0012BillTally'] };
      expect((await orm.getMigrator().down(only)).map((migration) => migration.name)).toEqual(['Migration0012BillTally']);
      expect((await orm.getMigrator().up(only)).map((migration) => migration.name)).toEqual(['Migration0012BillTally']);
    });
    expect(await sql(`select run_id, currency, bills, total::text from billing.bill_tally order by currency`)).toEqual([
      { run_id: 'run-obs', currency: 'CNY', bills: 2, total: '100.35' },
      { run_id: 'run-obs', currency: 'USD', bills: 1, total: '7.00' },
    ]);
    const text = await scrape();
    const run = { run_id: 'run-obs', period: '2026-03', status: 'running' };
    expect(sample(text, 'cec_billing_run_accounts', { ...run, state: 'planned' })).toBe(5);
    expect(sample(text, 'cec_billing_run_accounts', { ...run, state: 'billed' })).toBe(3);
    expect(sample(text, 'cec_billing_run_accounts', { ...run, state: 'failed' })).toBe(2);
    const rate = sample(text, 'cec_billing_run_rate_accounts_per_second', run) ?? 0;
    expect(rate).toBeGreaterThan(0);
    expect(rate).toBeLessThanOrEqual(0.3); // 3 accounts over at least 10 seconds
    expect(sample(text, 'cec_billing_bills_issued', { currency: 'CNY' })).toBe(2);
    expect(sample(text, 'cec_billing_bills_issued', { currency: 'USD' })).toBe(1);
    expect(sample(text, 'cec_billing_amount_billed', { currency: 'CNY' })).toBeCloseTo(100.35, 6);
    expect(sample(text, 'cec_billing_amount_billed', { currency: 'USD' })).toBeCloseTo(7, 6);
    expect(sample(text, 'cec_outbox_unpublished_rows', { schema: 'billing' })).toBeDefined();
  });

  it('#11 a scrape never reads the bills (a read that grows with every month billed): it answers while the bill table is locked', async () => {
    // a batch's tally of its bills in a currency of its own (as the flush writes it)
    await sql(`insert into billing.bill_tally (run_id, currency, bills, total) values (null, 'EUR', 4, 12.34)`);
    const locker = new Client({ connectionString: TEST_DATABASE_URL });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table billing.bill in access exclusive mode');
      // a scrape that read `bill` would wait for the lock until its gauges' 2 s limit, and then
      // leave those gauges out of its answer
      const response = await fetch(`${running.api.baseUrl}/metrics`, {
        headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` },
        signal: AbortSignal.timeout(10_000),
      });
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(sample(text, 'cec_billing_bills_issued', { currency: 'EUR' })).toBe(4);
      expect(sample(text, 'cec_billing_amount_billed', { currency: 'EUR' })).toBeCloseTo(12.34, 6);
    } finally {
      await locker.query('rollback');
      await locker.end();
    }
  });

  it('#10 logs a billing job carries its run id as X-Correlation-Id', async () => {
    const runId = uniqueId('run-corr');
    await new JetStreamJobQueue(running.app.get(JetStreamService)).enqueue([{ runId, period: '2026-03', batch: 1, accountIds: ['obs-a'] }]);
    const jsm = await nc.jetstreamManager();
    const message = await jsm.streams.getMessage(STREAMS.billingJobs.name, { last_by_subj: SUBJECTS.billingRunJob });
    expect(message.header.get(CORRELATION_HEADER)).toBe(runId);
  });
});
