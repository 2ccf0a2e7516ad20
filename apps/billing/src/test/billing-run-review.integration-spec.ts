import { JetStreamManager, nanos, NatsConnection } from 'nats';
import { Client } from 'pg';
import { ResumeBillingRunsUseCase, StartBillingRunUseCase } from '@cec/billing-application';
import { STREAMS, SUBJECTS } from '@cec/contracts';
import { connectNats, publishJson, resetSchema, RunningTestApp, sql, TEST_DATABASE_URL, useTestEnvironment } from '@cec/testing';
import { BILLING_ORM } from '../billing.module-def';
import { days, FakeCatalog, FakeMetering } from './support/fake-apps';
import { assertLedgerInvariant, createAccount, resetBillingStreams, RunBody, startBilling, uniqueId, waitFor, waitForRun } from './support/billing-harness';

useTestEnvironment();

/** Review findings of issue 10 on the run: republished jobs, cancel vs. an account in flight. */
describe('#10 review: billing runs (resume without copies, cancel serialized with bills)', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let metering: FakeMetering;
  let catalog: FakeCatalog;
  let planner: RunningTestApp;
  let worker: RunningTestApp | null = null;

  const messagesOnQueue = async (): Promise<number> => (await jsm.streams.info(STREAMS.billingJobs.name)).state.messages;

  async function accountsWithUsage(prefix: string, count: number, period: string): Promise<string[]> {
    const accounts: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const account = uniqueId(`${prefix}${index}`);
      await createAccount(nc, planner.api, account);
      metering.set(account, `${account}-s`, period, days(period, 1, 28, 1, 'review-cec'));
      accounts.push(account);
    }
    return accounts;
  }

  beforeAll(async () => {
    await resetSchema(BILLING_ORM);
    nc = await connectNats();
    jsm = await nc.jetstreamManager();
    await resetBillingStreams(nc);
    metering = new FakeMetering(nc);
    catalog = new FakeCatalog(nc);
    catalog.price('review-cec', '28.00');
    // plans and publishes, never works a job: the jobs stay on the queue
    planner = await startBilling({ run: { consumeJobs: false } });
  });

  afterAll(async () => {
    const info = await jsm.streams.info(STREAMS.billingJobs.name).catch(() => null);
    if (info) await jsm.streams.update(STREAMS.billingJobs.name, { ...info.config, duplicate_window: nanos(120_000) });
    await worker?.close();
    await planner?.close();
    metering?.close();
    catalog?.close();
    await nc?.drain();
  });

  afterEach(async () => {
    await assertLedgerInvariant();
  });

  it('#10 review resume: starting a running run again and resuming it publish no copy of a job still on the queue (past the dedupe window too); a job gone from the queue is published again; a copy of a finished job is acked without work', async () => {
    // JetStream's duplicate window made short, as if the restarts came minutes apart
    const info = await jsm.streams.info(STREAMS.billingJobs.name);
    await jsm.streams.update(STREAMS.billingJobs.name, { ...info.config, duplicate_window: nanos(500) });
    const accounts = await accountsWithUsage('acc-rv', 12, '2025-06');
    const started = await planner.api.post<RunBody>('/v1/billing-runs', { period: '2025-06' });
    expect(started.status).toBe(202);
    // 12 accounts and those left by other suites (BILLING_EVENTS is read from its start), 5 a job
    const jobs = started.body.jobsTotal;
    expect(jobs).toBeGreaterThanOrEqual(3);
    await waitFor(async () => (await messagesOnQueue()) === jobs, 'the jobs on the queue');

    // two restarts (a second start while it runs, a resume), each past the dedupe window
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const again = await planner.api.post<RunBody>('/v1/billing-runs', { period: '2025-06' });
    expect([again.status, again.body.id]).toEqual([202, started.body.id]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await planner.app.get(ResumeBillingRunsUseCase).execute()).toBe(0);
    expect(await messagesOnQueue()).toBe(jobs);

    // jobs lost by the server (purged): the resume publishes them again, once
    await jsm.streams.purge(STREAMS.billingJobs.name);
    expect(await planner.app.get(ResumeBillingRunsUseCase).execute()).toBe(jobs);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await planner.app.get(ResumeBillingRunsUseCase).execute()).toBe(0);
    expect(await messagesOnQueue()).toBe(jobs);

    // a replica that works jobs: the run bills every account once
    worker = await startBilling();
    const run = await waitForRun(planner.api, started.body.id);
    expect(run.status).toBe('completed');
    const [bills] = await sql<{ n: string; accounts: string }>(
      `select count(*)::text as n, count(distinct account_id)::text as accounts from billing.bill where period = '2025-06' and account_id = any($1::text[])`,
      [accounts],
    );
    expect(bills).toEqual({ n: '12', accounts: '12' });
    const [all] = await sql<{ n: string; accounts: string; deductions: string }>(
      `select count(*)::text as n, count(distinct account_id)::text as accounts,
              (select count(*)::text from billing.ledger_entry e join billing.bill b on b.id = e.bill_id where b.run_id = $1 and e.type = 'deduction') as deductions
         from billing.bill where run_id = $1`,
      [started.body.id],
    );
    expect(all.n).toBe(all.accounts); // no account billed twice by the copies
    expect(Number(all.deductions)).toBeLessThanOrEqual(Number(all.n));
    await waitFor(async () => (await messagesOnQueue()) === 0, 'the queue drained');

    // a copy of a finished job (as a late resume could publish) is acked without asking metering
    const asked = metering.usageRequests().length;
    const [job] = await sql<{ account_ids: string[] }>('select account_ids from billing.billing_run_job where run_id = $1 and batch = 1', [started.body.id]);
    await publishJson(nc, SUBJECTS.billingRunJob, { runId: started.body.id, period: '2025-06', batch: 1, accountIds: job.account_ids }, `${started.body.id}:1:copy`);
    await waitFor(async () => (await messagesOnQueue()) === 0, 'the copy acked');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(metering.usageRequests().length).toBe(asked);
  });

  it('#10 review cancel: an account transaction in flight waits for a cancel holding the run row and then bills nothing (FOR SHARE vs FOR UPDATE)', async () => {
    if (!worker) worker = await startBilling();
    const [account] = await accountsWithUsage('acc-cx', 1, '2025-07');
    metering.delayMs = 1500; // the job is in flight (waiting for usage) when the cancel begins
    const client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const started = await planner.api.post<RunBody>('/v1/billing-runs', { period: '2025-07' });
      expect(started.status).toBe(202);
      const runId = started.body.id;
      // the cancel's transaction, as CancelBillingRunUseCase runs it, held open
      await client.query('begin');
      await client.query('select status from billing.billing_run where id = $1 for update', [runId]);
      await client.query(`update billing.billing_run set status = 'cancelled', finished_at = now() where id = $1`, [runId]);
      await client.query(`update billing.billing_run_job set status = 'cancelled', finished_at = now() where run_id = $1 and status = 'queued'`, [runId]);
      await waitFor(async () => metering.usageRequests().some((request) => request.period === '2025-07' && request.accountIds.includes(account)), 'the job read its usage', 15_000);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      // the account's transaction is waiting on the run row: nothing committed
      expect(await sql('select id from billing.bill where run_id = $1', [runId])).toEqual([]);
      await client.query('commit');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await sql('select id from billing.bill where run_id = $1', [runId])).toEqual([]);
      expect(await sql('select account_id from billing.account_period where run_id = $1', [runId])).toEqual([]);
      expect((await planner.api.get<RunBody>(`/v1/billing-runs/${runId}`)).body.status).toBe('cancelled');
    } finally {
      metering.delayMs = 0;
      await client.query('rollback').catch(() => undefined);
      await client.end();
    }
  });

  it('#10 review catch-up: a scheduler run for a late account plans only what no earlier run of the month planned; failed accounts stay with their run\'s retry-failures, a cancelled run\'s leftovers go to an operator run; each billed once', async () => {
    if (!worker) worker = await startBilling();
    const billsOfMonth = async (accounts: readonly string[], period: string): Promise<Record<string, number>> => {
      const found = await sql<{ account_id: string; n: string }>(
        'select account_id, count(*)::text as n from billing.bill where period = $2 and account_id = any($1::text[]) group by account_id',
        [accounts, period],
      );
      return Object.fromEntries(accounts.map((account) => [account, Number(found.find((row) => row.account_id === account)?.n ?? 0)]));
    };
    const scheduleRun = async (period: string): Promise<RunBody> => {
      const outcome = await planner.app.get(StartBillingRunUseCase).execute({ period, trigger: 'schedule' });
      return waitForRun(planner.api, outcome.run.id);
    };

    // August: A is refused by metering (permanent), B is billed
    const [a, b] = await accountsWithUsage('acc-cu-ab', 2, '2025-08');
    metering.failWhen = (request) => (request.accountIds.includes(a) ? { statusCode: 400, code: 'VALIDATION_FAILED', message: `account ${a} refused` } : false);
    try {
      const first = await planner.api.post<RunBody>('/v1/billing-runs', { period: '2025-08' });
      expect((await waitForRun(planner.api, first.body.id)).status).toBe('completed_with_failures');
      expect(await billsOfMonth([a, b], '2025-08')).toEqual({ [a]: 0, [b]: 1 });

      // a late account: the scheduler's catch-up run plans it alone (not A, whose failure is its run's)
      const [late] = await accountsWithUsage('acc-cu-late', 1, '2025-08');
      const catchUp = await scheduleRun('2025-08');
      expect(catchUp).toMatchObject({ status: 'completed', accountsTotal: 1 });
      // an operator's run of the month leaves A to the failed run too
      const operator = await planner.api.post<RunBody>('/v1/billing-runs', { period: '2025-08' });
      expect((await waitForRun(planner.api, operator.body.id)).accountsTotal).toBe(0);
      metering.failWhen = null;
      // A is billed by its run's retry-failures, once
      expect((await planner.api.post(`/v1/billing-runs/${first.body.id}/retry-failures`, {})).status).toBe(202);
      expect((await waitForRun(planner.api, first.body.id)).status).toBe('completed');
      expect(await billsOfMonth([a, b, late], '2025-08')).toEqual({ [a]: 1, [b]: 1, [late]: 1 });
    } finally {
      metering.failWhen = null;
    }

    // September: a run cancelled while its first job waits leaves its accounts unbilled
    const left = await accountsWithUsage('acc-cu-left', 2, '2025-09');
    metering.delayMs = 1500;
    let cancelled: RunBody;
    try {
      const started = await planner.api.post<RunBody>('/v1/billing-runs', { period: '2025-09' });
      expect((await planner.api.post<RunBody>(`/v1/billing-runs/${started.body.id}/cancel`, {})).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      cancelled = (await planner.api.get<RunBody>(`/v1/billing-runs/${started.body.id}`)).body;
    } finally {
      metering.delayMs = 0;
    }
    expect(cancelled.status).toBe('cancelled');
    expect(await billsOfMonth(left, '2025-09')).toEqual(Object.fromEntries(left.map((account) => [account, 0])));
    // a late account's catch-up run bills the late account only: the cancel is the operator's decision
    const [late2] = await accountsWithUsage('acc-cu-late2', 1, '2025-09');
    expect(await scheduleRun('2025-09')).toMatchObject({ status: 'completed', accountsTotal: 1 });
    expect(await billsOfMonth([...left, late2], '2025-09')).toEqual({ ...Object.fromEntries(left.map((account) => [account, 0])), [late2]: 1 });
    // the operator's run of the month bills what the cancelled run left, and nothing twice
    const rerun = await planner.api.post<RunBody>('/v1/billing-runs', { period: '2025-09' });
    const done = await waitForRun(planner.api, rerun.body.id);
    expect(done.status).toBe('completed');
    expect(done.accountsTotal).toBeGreaterThanOrEqual(2);
    expect(await billsOfMonth([...left, late2], '2025-09')).toEqual(Object.fromEntries([...left, late2].map((account) => [account, 1])));
  });

  it('#10 review index, #11: a run\'s bills are counted by an index on run_progress.run_id (metrics scrape, run queries), never by reading the bills; bill.run_id, with no reader left, has no index to write', async () => {
    const progress = await sql<{ indexdef: string }>(`select indexdef from pg_indexes where schemaname = 'billing' and tablename = 'run_progress'`);
    expect(progress.map((index) => index.indexdef)).toEqual(expect.arrayContaining([expect.stringMatching(/\(run_id, recorded_at\)$/)]));
    const bill = await sql<{ indexdef: string }>(`select indexdef from pg_indexes where schemaname = 'billing' and tablename = 'bill'`);
    expect(bill.map((index) => index.indexdef).filter((definition) => /\(run_id\)$/.test(definition))).toEqual([]);
  });
});
