import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { NatsConnection } from 'nats';
import { Period } from '@cec/kernel';
import { BILLING_DEPS, BillAccountsUseCase, BillingDeps } from '@cec/billing-application';
import { STREAMS, SUBJECTS } from '@cec/contracts';
import { ApiClient, connectNats, publishJson, resetSchema, RunningTestApp, sql, useTestEnvironment } from '@cec/testing';
import { BillingScheduler } from '../scheduling/billing.scheduler';
import { BILLING_ORM } from '../billing.module-def';
import { days, FakeCatalog, FakeMetering } from './support/fake-apps';
import { assertLedgerInvariant, billsOf, createAccount, resetBillingStreams, RunBody, startBilling, uniqueId, waitFor, waitForRun } from './support/billing-harness';

useTestEnvironment();

describe('billing: exactly once across crashes, redeliveries and replicas (R7.2, R7.3)', () => {
  let nc: NatsConnection;
  let metering: FakeMetering;
  let catalog: FakeCatalog;
  const apps: RunningTestApp[] = [];

  async function start(options: Parameters<typeof startBilling>[0] = {}): Promise<RunningTestApp> {
    const app = await startBilling(options);
    apps.push(app);
    return app;
  }

  async function stop(app: RunningTestApp): Promise<void> {
    apps.splice(apps.indexOf(app), 1);
    await app.close();
  }

  beforeAll(async () => {
    await resetSchema(BILLING_ORM);
    nc = await connectNats();
    await resetBillingStreams(nc);
    metering = new FakeMetering(nc);
    catalog = new FakeCatalog(nc);
    catalog.price('rs-cec', '30.00');
  });

  afterAll(async () => {
    for (const app of [...apps]) await app.close();
    metering?.close();
    catalog?.close();
    await nc?.drain();
  });

  afterEach(async () => {
    await assertLedgerInvariant();
  });

  async function accountsWithUsage(app: RunningTestApp, prefix: string, count: number, period: string, topUp: string): Promise<string[]> {
    const accounts: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const acc = uniqueId(`${prefix}${index}`);
      await createAccount(nc, app.api, acc);
      expect((await app.api.post(`/v1/accounts/${acc}/top-ups`, { amount: topUp, reference: 'start' })).status).toBe(201);
      metering.set(acc, `${acc}-s1`, period, days(period, 1, 30, 1, 'rs-cec'));
      accounts.push(acc);
    }
    return accounts;
  }

  async function assertBilledOnce(accounts: readonly string[], period: string, app: RunningTestApp): Promise<void> {
    for (const acc of accounts) {
      const bills = await billsOf(app.api, acc, period);
      expect({ acc, bills: bills.length }).toEqual({ acc, bills: 1 });
    }
    const rows = await sql<{ account_id: string; deductions: string; bills: string }>(
      `select a.id as account_id,
              (select count(*) from billing.ledger_entry e join billing.bill b on b.id = e.bill_id where e.account_id = a.id and e.type = 'deduction' and b.period = $2) as deductions,
              (select count(*) from billing.bill b where b.account_id = a.id and b.period = $2) as bills
         from billing.account a where a.id = any($1::text[])`,
      [accounts, period],
    );
    for (const row of rows) expect({ acc: row.account_id, deductions: Number(row.deductions), bills: Number(row.bills) }).toEqual({ acc: row.account_id, deductions: 1, bills: 1 });
  }

  it('R7.2 a run killed half-way (some accounts committed, jobs never published) is resumed by another replica: no double bill, no lost account', async () => {
    // replica A plans the run but dies before its jobs are done: it consumes no jobs here
    const replicaA = await start({ run: { consumeJobs: false } });
    const accounts = await accountsWithUsage(replicaA, 'rk', 12, '2025-09', '5.00');
    // A plans the run (run row and jobs, one transaction) and dies before publishing the jobs
    const deps = replicaA.app.get<BillingDeps>(BILLING_DEPS);
    const planned = await deps.runs.start({ id: uniqueId('run_killed'), period: Period.parse('2025-09'), trigger: 'operator', startedAt: deps.clock.now(), batchSize: 5 });
    expect(planned).toMatchObject({ created: true, run: { status: 'running' } });
    const runId = planned.run.id;
    // ...after committing three accounts of the run (each in its own transaction)
    const partial = await new BillAccountsUseCase(deps).execute({ runId, period: Period.parse('2025-09'), accountIds: accounts.slice(0, 3) });
    expect(partial).toMatchObject({ processed: 3, issued: 3, skipped: 0 });
    expect((await sql<{ n: string }>('select count(*) as n from billing.billing_run_job where run_id = $1 and published_at is null', [runId]))[0].n).not.toBe('0');
    await stop(replicaA);
    expect((await sql<{ status: string }>('select status from billing.billing_run where id = $1', [runId]))[0].status).toBe('running');

    // replica B boots: it publishes the planned jobs again and works them; committed accounts are skipped
    const replicaB = await start();
    const run = await waitForRun(replicaB.api, runId);
    expect(run).toMatchObject({ status: 'completed', billsIssued: 12, total: '360.00' });
    expect(run.accountsProcessed).toBe(run.accountsTotal);
    await assertBilledOnce(accounts, '2025-09', replicaB);
    // and a repeat by an operator finds nothing left to bill
    const again = await replicaB.api.post<RunBody>('/v1/billing-runs', { period: '2025-09' });
    expect((await waitForRun(replicaB.api, again.body.id)).billsIssued).toBe(0);
    await assertBilledOnce(accounts, '2025-09', replicaB);
    await stop(replicaB);
  });

  it('R7.2 a billing process killed (SIGKILL) in the middle of a run: another replica finishes it, no account billed twice or lost', async () => {
    const seed = await start({ run: { consumeJobs: false } });
    const accounts = await accountsWithUsage(seed, 'kl', 20, '2025-12', '2.00');
    await stop(seed);
    // a separate billing process, slowed down by a slow metering, that will be killed mid-run
    metering.delayMs = 400;
    const port = await freePort();
    const child = spawn(process.execPath, [join(ROOT, 'tools/run-ts.js'), join(ROOT, 'apps/billing/src/main.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        BILLING_PORT: String(port),
        BILLING_RUN_BATCH_SIZE: '4',
        BILLING_JOBS_IN_PARALLEL: '1',
        BILLING_JOB_ACK_WAIT_MS: '3000',
        BILLING_CATCH_UP_ON_BOOT: 'false',
        BILLING_SWEEP_INTERVAL_MS: '0',
        BILLING_TEST_CLOCK: 'false',
        LOG_LEVEL: 'error',
      },
      stdio: 'ignore',
    });
    let runId = '';
    try {
      const childApi = new ApiClient(`http://127.0.0.1:${port}`);
      const started = await waitFor(async () => {
        const response = await childApi.post<RunBody>('/v1/billing-runs', { period: '2025-12' }).catch(() => undefined);
        return response?.status === 202 ? response.body : undefined;
      }, 'the child process to accept the run', 60_000);
      runId = started.id;
      await waitFor(async () => Number((await sql<{ n: string }>('select count(*) as n from billing.account_period where run_id = $1', [runId]))[0].n) >= 4, 'some accounts billed by the child', 60_000);
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));
      metering.delayMs = 0;
    }
    const [{ n: billedBeforeCrash }] = await sql<{ n: string }>('select count(*) as n from billing.account_period where run_id = $1', [runId]);
    expect(Number(billedBeforeCrash)).toBeLessThan(20);
    expect((await sql<{ status: string }>('select status from billing.billing_run where id = $1', [runId]))[0].status).toBe('running');
    // a surviving replica picks up the rest: queued jobs, and the killed one's job after its ack wait
    const survivor = await start();
    const run = await waitForRun(survivor.api, runId, 60_000);
    expect(run).toMatchObject({ status: 'completed', billsIssued: 20, total: '580.60' }); // 20 x 30 x 30.00 / 31
    await assertBilledOnce(accounts, '2025-12', survivor);
    await stop(survivor);
  });

  it('R7.2 a job that fails mid-way (metering unavailable) is redelivered and finished; a job redelivered twice bills nothing twice', async () => {
    const replica = await start();
    const accounts = await accountsWithUsage(replica, 'rd', 6, '2025-11', '40.00');
    let failures = 0;
    metering.failWhen = (request) => request.period === '2025-11' && request.accountIds.includes(accounts[4]) && failures++ < 2;
    try {
      const started = await replica.api.post<RunBody>('/v1/billing-runs', { period: '2025-11' });
      const run = await waitForRun(replica.api, started.body.id, 45_000);
      expect(run).toMatchObject({ status: 'completed', billsIssued: 6 });
      expect(failures).toBeGreaterThanOrEqual(2);
    } finally {
      metering.failWhen = null;
    }
    await assertBilledOnce(accounts, '2025-11', replica);
    // a duplicate of an already finished job changes nothing
    const [job] = await sql<{ run_id: string; batch: number; account_ids: string[] }>(
      "select j.run_id, j.batch, j.account_ids from billing.billing_run_job j join billing.billing_run r on r.id = j.run_id where r.period = '2025-11' limit 1",
    );
    const deps = replica.app.get<BillingDeps>(BILLING_DEPS);
    const repeat = await new BillAccountsUseCase(deps).execute({ runId: job.run_id, period: Period.parse('2025-11'), accountIds: job.account_ids });
    expect(repeat).toMatchObject({ processed: 0, issued: 0 });
    await assertBilledOnce(accounts, '2025-11', replica);
    await stop(replica);
  });

  it('two replicas share one run through the work queue; both starting it at once makes one run', async () => {
    const one = await start({ run: { batchSize: 2 } });
    const two = await start({ run: { batchSize: 2 } });
    const accounts = await accountsWithUsage(one, 'rp', 10, '2025-06', '1.00');
    const [a, b] = await Promise.all([one.api.post<RunBody>('/v1/billing-runs', { period: '2025-06' }), two.api.post<RunBody>('/v1/billing-runs', { period: '2025-06' })]);
    expect(b.body.id).toBe(a.body.id);
    const run = await waitForRun(two.api, a.body.id);
    expect(run).toMatchObject({ status: 'completed', billsIssued: 10 });
    await assertBilledOnce(accounts, '2025-06', one);
    await stop(one);
    await stop(two);
  });

  it('R7.3 at boot, the scheduler runs the ended months that have no completed run', async () => {
    const acc = uniqueId('cu');
    const seed = await start();
    await createAccount(nc, seed.api, acc);
    const lastEnded = previousPeriod();
    metering.set(acc, `${acc}-s1`, lastEnded, days(lastEnded, 1, 28, 1, 'rs-cec'));
    await stop(seed);
    const booted = await start({ run: { catchUpOnBoot: true } });
    const run = await waitFor(
      async () => {
        const runs = (await booted.api.get<RunBody[]>(`/v1/billing-runs?period=${lastEnded}`)).body;
        return runs.find((r) => r.status === 'completed' && r.trigger === 'schedule');
      },
      `catch-up run of ${lastEnded}`,
      60_000,
    );
    expect(run.billsIssued).toBeGreaterThanOrEqual(1);
    expect(await billsOf(booted.api, acc, lastEnded)).toHaveLength(1);
    await stop(booted);
  });

  it('#9.4 the boot catch-up plans only once the account consumer has caught up: an account announced last while billing was down is billed at boot', async () => {
    const lastEnded = previousPeriod();
    // a clean slate: no account, no run (the boot tick then has exactly one month to run)
    await resetSchema(BILLING_ORM);
    await resetBillingStreams(nc);
    const jsm = await nc.jetstreamManager();
    await jsm.streams.purge(STREAMS.billingEvents.name, { filter: SUBJECTS.accountCreated });
    // billing is down while 3,000 accounts are announced; only the last one has usage in the last ended month
    const prefix = uniqueId('fd');
    const occurredAt = `${lastEnded}-01T00:00:00+08:00`;
    for (let index = 0; index < 3000; index += 1) {
      const accountId = `${prefix}-${index}`;
      await publishJson(nc, SUBJECTS.accountCreated, { id: `evt-${accountId}`, occurredAt, accountId, name: accountId, currency: 'USD' }, `evt-${accountId}`);
    }
    const last = `${prefix}-2999`;
    metering.set(last, `${last}-s1`, lastEnded, days(lastEnded, 1, 28, 1, 'rs-cec'));
    const booted = await start({ run: { catchUpOnBoot: true, batchSize: 500 } });
    await booted.app.get(BillingScheduler).whenBooted();
    // the boot tick waited for the 3,000 messages: the account was recorded before the month was planned
    const runs = (await booted.api.get<RunBody[]>(`/v1/billing-runs?period=${lastEnded}`)).body;
    expect(runs.map((run) => [run.trigger, run.accountsTotal])).toEqual([['schedule', 3000]]);
    const [bill] = await waitFor(async () => {
      const bills = await billsOf(booted.api, last, lastEnded);
      return bills.length === 1 ? bills : undefined;
    }, `the bill of ${last} for ${lastEnded}`, 60_000);
    expect(bill).toMatchObject({ accountId: last, period: lastEnded });
    const [{ pending }] = await sql<{ pending: string }>(`select count(*)::text as pending from billing.account where id like '${prefix}-%'`);
    expect(pending).toBe('3000');
    await stop(booted);
    // the next suite's fresh consumer must not read these 3,000 accounts again
    await jsm.streams.purge(STREAMS.billingEvents.name, { filter: SUBJECTS.accountCreated });
  }, 120_000);
});

function previousPeriod(): string {
  const now = new Date(Date.now() + 8 * 3600 * 1000); // wall clock in UTC+8, whatever TZ is
  const year = now.getUTCMonth() === 0 ? now.getUTCFullYear() - 1 : now.getUTCFullYear();
  const month = now.getUTCMonth() === 0 ? 12 : now.getUTCMonth();
  return `${year}-${String(month).padStart(2, '0')}`;
}

const ROOT = join(__dirname, '..', '..', '..', '..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

