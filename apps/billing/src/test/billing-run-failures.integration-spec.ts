import { NatsConnection } from 'nats';
import { AccountCreatedEvent, CONSUMERS, STREAMS, SUBJECTS } from '@cec/contracts';
import { Dec } from '@cec/kernel';
import { connectNats, publishJson, resetSchema, resetStream, RunningTestApp, sql, useTestEnvironment } from '@cec/testing';
import { BILLING_ORM } from '../billing.module-def';
import { days, DaySpec, FakeCatalog, FakeMetering } from './support/fake-apps';
import { assertLedgerInvariant, billsOf, createAccount, resetBillingStreams, RunBody, startBilling, uniqueId, waitFor, waitForRun } from './support/billing-harness';

useTestEnvironment();

interface FailureBody {
  accountId: string;
  code: string;
  message: string;
  attempts: number;
  failedAt: string;
}

interface RunWithFailures extends RunBody {
  accountsFailed: number;
}

/** R4.3/R4.4: round(sum_d q(d) * price / D) to cents, half away from zero, in decimal arithmetic. */
function lineAmount(daysOfMonth: readonly DaySpec[], unitPrice: string, daysInPeriod: number): string {
  const quantityDays = daysOfMonth.reduce((sum, day) => sum + day.quantity, 0);
  return new Dec(quantityDays).times(unitPrice).div(daysInPeriod).toDecimalPlaces(2, Dec.ROUND_HALF_UP).toFixed(2);
}

/** A month in which the quantity changes every day (no two consecutive days equal). */
function dailyChanging(period: string, daysInPeriod: number, seed: number, step: number, modulo: number, productCode: string): DaySpec[] {
  return Array.from({ length: daysInPeriod }, (_, index) => ({
    date: `${period}-${String(index + 1).padStart(2, '0')}`,
    quantity: 1 + ((seed + index * step) % modulo),
    productCodes: [productCode],
  }));
}

describe('#9.1 runs never loop, never hang: paged usage, failed accounts, cancel, retry (R7.1, R7.2)', () => {
  let nc: NatsConnection;
  let metering: FakeMetering;
  let catalog: FakeCatalog;
  const apps: RunningTestApp[] = [];

  async function start(options: Parameters<typeof startBilling>[0] = {}): Promise<RunningTestApp> {
    const app = await startBilling({ ...options, run: { jobMaxAttempts: 3, jobRetryDelaysMs: [200, 400], ...options.run } });
    apps.push(app);
    return app;
  }

  async function stop(app: RunningTestApp): Promise<void> {
    apps.splice(apps.indexOf(app), 1);
    await app.close();
  }

  async function startRun(app: RunningTestApp, period: string): Promise<RunWithFailures> {
    const started = await app.api.post<RunWithFailures>('/v1/billing-runs', { period });
    expect(started.status).toBe(202);
    return started.body;
  }

  async function finished(app: RunningTestApp, runId: string, timeoutMs = 60_000): Promise<RunWithFailures> {
    return (await waitForRun(app.api, runId, timeoutMs)) as RunWithFailures;
  }

  async function failuresOf(app: RunningTestApp, runId: string): Promise<FailureBody[]> {
    const response = await app.api.get<FailureBody[]>(`/v1/billing-runs/${runId}/failures`);
    expect(response.status).toBe(200);
    return response.body;
  }

  async function accounts(app: RunningTestApp, prefix: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let index = 0; index < count; index += 1) {
      const acc = uniqueId(`${prefix}${index}`);
      await createAccount(nc, app.api, acc);
      ids.push(acc);
    }
    return ids.sort();
  }

  beforeAll(async () => {
    await resetSchema(BILLING_ORM);
    nc = await connectNats();
    await resetBillingStreams(nc);
    metering = new FakeMetering(nc);
    catalog = new FakeCatalog(nc);
    // let billing's account consumer read what other suites left on BILLING_EVENTS, so that each
    // test below starts from an empty schema and plans runs of its own accounts only
    const reader = await start();
    const jsm = await nc.jetstreamManager();
    await waitFor(async () => {
      const info = await jsm.consumers.info(STREAMS.billingEvents.name, CONSUMERS.billingAccounts);
      return info.num_pending === 0 && info.num_ack_pending === 0;
    }, 'billing to read the account events already on the stream');
    await stop(reader);
  }, 60_000);

  beforeEach(async () => {
    await resetSchema(BILLING_ORM);
    await resetStream(nc, STREAMS.billingJobs);
  });

  afterAll(async () => {
    for (const app of [...apps]) await app.close();
    metering?.close();
    catalog?.close();
    await nc?.drain();
  });

  afterEach(async () => {
    metering.failWhen = null;
    for (const app of [...apps]) await stop(app);
    await assertLedgerInvariant();
  });

  it('#9.1 a month where 250 accounts (one job) change quantity every day bills completely: usage comes in pages by bytes', async () => {
    catalog.price('dc-basic', '50.00');
    catalog.price('dc-pro', '77.77');
    const app = await start({ run: { batchSize: 250 } });
    const period = '2025-11';
    const ids = Array.from({ length: 250 }, (_, index) => uniqueId(`dc${String(index).padStart(3, '0')}`));
    for (const acc of ids) {
      const event: AccountCreatedEvent = { id: `evt-${acc}`, occurredAt: '2025-01-01T00:00:00+08:00', accountId: acc, name: acc, currency: 'USD' };
      await publishJson(nc, SUBJECTS.accountCreated, event, event.id);
    }
    await waitFor(async () => Number((await sql<{ n: string }>('select count(*)::text as n from billing.account where id = any($1::text[])', [ids]))[0].n) === 250, '250 accounts');
    const usage = new Map<string, { basic: DaySpec[]; pro: DaySpec[] }>();
    ids.forEach((acc, index) => {
      const basic = dailyChanging(period, 30, index, 1, 9, 'dc-basic');
      const pro = dailyChanging(period, 30, index * 7, 3, 11, 'dc-pro');
      metering.set(acc, `${acc}-basic`, period, basic);
      metering.set(acc, `${acc}-pro`, period, pro);
      usage.set(acc, { basic, pro });
    });
    // one unpaged reply for the job would be over NATS's 1 MiB max_payload (REPLY_TOO_LARGE)
    expect(Buffer.byteLength(JSON.stringify(metering.answer(period, ids)))).toBeGreaterThan(1024 * 1024);
    const requestsBefore = metering.usageRequests().length;

    const run = await finished(app, (await startRun(app, period)).id);

    expect(run).toMatchObject({ status: 'completed', accountsTotal: 250, jobsTotal: 1, accountsBilled: 250, billsIssued: 250, accountsFailed: 0, error: null });
    // the job's 250 accounts were asked for together, page after page (never split by a count)
    const pages = metering.usageRequests().slice(requestsBefore);
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.map((page) => [page.accountIds.length, page.paged])).toEqual([[250, false], ...pages.slice(1).map(() => [250, true])]);
    const [{ n: bills }] = await sql<{ n: string }>('select count(*)::text as n from billing.bill where period = $1 and account_id = any($2::text[])', [period, ids]);
    expect(Number(bills)).toBe(250);
    let expectedTotal = new Dec(0);
    for (const acc of ids) {
      const { basic, pro } = usage.get(acc) as { basic: DaySpec[]; pro: DaySpec[] };
      expectedTotal = expectedTotal.plus(lineAmount(basic, '50.00', 30)).plus(lineAmount(pro, '77.77', 30));
    }
    expect(run.total).toBe(expectedTotal.toFixed(2));
    for (const acc of [ids[0], ids[1], ids[137], ids[249]]) {
      const { basic, pro } = usage.get(acc) as { basic: DaySpec[]; pro: DaySpec[] };
      const [bill] = await billsOf(app.api, acc, period);
      const byProduct = Object.fromEntries(bill.lines.map((line) => [line.productCode, line]));
      expect(byProduct['dc-basic']).toMatchObject({ quantityDays: basic.reduce((sum, day) => sum + day.quantity, 0), daysInPeriod: 30, amount: lineAmount(basic, '50.00', 30) });
      expect(byProduct['dc-pro']).toMatchObject({ quantityDays: pro.reduce((sum, day) => sum + day.quantity, 0), daysInPeriod: 30, amount: lineAmount(pro, '77.77', 30) });
      expect(bill.total).toBe(new Dec(lineAmount(basic, '50.00', 30)).plus(lineAmount(pro, '77.77', 30)).toFixed(2));
    }
  }, 180_000);

  it('#9.1 run stuck on a permanent error ends completed_with_failures: only the refused account fails, with its code; the others are billed', async () => {
    catalog.price('pe-cec', '30.00');
    const app = await start({ run: { batchSize: 5 } });
    const ids = await accounts(app, 'pe', 5);
    for (const acc of ids) metering.set(acc, `${acc}-s1`, '2025-10', days('2025-10', 1, 31, 2, 'pe-cec'));
    const poisoned = ids[2];
    // metering refuses every request that contains the poisoned account, permanently (a 4xx code)
    metering.failWhen = (request) =>
      request.accountIds.includes(poisoned) ? { statusCode: 400, code: 'VALIDATION_FAILED', message: `accountIds: ${poisoned} cannot be answered` } : false;

    const run = await finished(app, (await startRun(app, '2025-10')).id);

    expect(run).toMatchObject({ status: 'completed_with_failures', accountsTotal: 5, accountsBilled: 4, accountsFailed: 1, jobsTotal: 1, jobsDone: 1 });
    expect(run.error).toMatch(/VALIDATION_FAILED/);
    expect(await failuresOf(app, run.id)).toEqual([
      { accountId: poisoned, code: 'VALIDATION_FAILED', message: expect.stringMatching(/cannot be answered/), attempts: 1, failedAt: expect.stringMatching(/\+08:00$/) },
    ]);
    for (const acc of ids.filter((id) => id !== poisoned)) expect((await billsOf(app.api, acc, '2025-10')).map((bill) => bill.total)).toEqual(['60.00']);
    expect(await billsOf(app.api, poisoned, '2025-10')).toEqual([]);
  }, 60_000);

  it('#9.1 an amount that overflows a bill-line column ends as a failed account (NUMERIC_OVERFLOW), not a loop', async () => {
    catalog.price('ov-cec', '1000000000000.00');
    const app = await start({ run: { batchSize: 5 } });
    const ids = await accounts(app, 'ov', 3);
    const huge = ids[1];
    for (const acc of ids) metering.set(acc, `${acc}-s1`, '2025-12', days('2025-12', 1, 31, acc === huge ? 1_000_000 : 1, 'ov-cec'));

    const run = await finished(app, (await startRun(app, '2025-12')).id);

    // 1,000,000 agents at 10^12 a month: 10^18 does not fit the numeric(20,2) amount columns (quantity_days is bigint since #8.5)
    expect(run).toMatchObject({ status: 'completed_with_failures', accountsBilled: 2, accountsFailed: 1 });
    expect(await failuresOf(app, run.id)).toEqual([{ accountId: huge, code: 'NUMERIC_OVERFLOW', message: expect.stringMatching(/22003/), attempts: 1, failedAt: expect.any(String) }]);
    expect(await billsOf(app.api, huge, '2025-12')).toEqual([]);
    for (const acc of ids.filter((id) => id !== huge)) expect(await billsOf(app.api, acc, '2025-12')).toHaveLength(1);
  }, 60_000);

  it('#9.1 retry failures: metering down for every delivery fails the job after its last attempt; the operator retries only the failed accounts', async () => {
    catalog.price('rt-cec', '31.00');
    const app = await start({ run: { batchSize: 2 } });
    const ids = await accounts(app, 'rt', 3);
    for (const acc of ids) metering.set(acc, `${acc}-s1`, '2026-01', days('2026-01', 1, 31, 1, 'rt-cec'));
    // ids[0] and ids[1] share a job; metering is down for it (retryable), while ids[2]'s job bills
    metering.failWhen = (request) => (request.accountIds.includes(ids[0]) ? { statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: 'metering is restarting' } : false);
    const requestsBefore = metering.usageRequests().length;

    const run = await finished(app, (await startRun(app, '2026-01')).id);

    expect(run).toMatchObject({ status: 'completed_with_failures', accountsTotal: 3, accountsBilled: 1, accountsFailed: 2, jobsTotal: 2, jobsDone: 2 });
    const failures = await failuresOf(app, run.id);
    expect(failures.map((failure) => [failure.accountId, failure.code, failure.attempts])).toEqual([
      [ids[0], 'SERVICE_UNAVAILABLE', 3],
      [ids[1], 'SERVICE_UNAVAILABLE', 3],
    ]);
    // bounded: the failing job was asked 3 times (its deliveries), never more
    expect(metering.usageRequests().slice(requestsBefore).filter((request) => request.accountIds.includes(ids[0]))).toHaveLength(3);

    metering.failWhen = null;
    const retried = await app.api.post<RunWithFailures>(`/v1/billing-runs/${run.id}/retry-failures`, {});
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id: run.id, status: 'running', accountsFailed: 0, jobsTotal: 3 });
    const done = await finished(app, run.id);
    expect(done).toMatchObject({ status: 'completed', accountsBilled: 3, billsIssued: 3, accountsFailed: 0, total: '93.00' });
    expect(await failuresOf(app, run.id)).toEqual([]);
    for (const acc of ids) expect((await billsOf(app.api, acc, '2026-01')).map((bill) => bill.total)).toEqual(['31.00']);
    // nothing left to retry: 409, nothing changed
    const again = await app.api.post(`/v1/billing-runs/${run.id}/retry-failures`, {});
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ statusCode: 409, code: 'BILLING_RUN_HAS_NO_FAILURES' });
    expect((await app.api.post('/v1/billing-runs/run-none/retry-failures', {})).status).toBe(404);
  }, 90_000);

  it('#9.1 cancel: a running run is cancelled, its queued jobs never bill, and a new run of the month bills everyone once', async () => {
    catalog.price('cx-cec', '62.00');
    // a replica that plans runs but consumes no jobs: the run stays running with queued jobs
    const planner = await start({ run: { batchSize: 2, consumeJobs: false } });
    const ids = await accounts(planner, 'cx', 4);
    for (const acc of ids) metering.set(acc, `${acc}-s1`, '2026-02', days('2026-02', 1, 28, 1, 'cx-cec'));
    const run = await startRun(planner, '2026-02');
    expect(run).toMatchObject({ status: 'running', jobsTotal: 2 });
    // one running run per period (a unique index): a second start returns the running one
    expect((await startRun(planner, '2026-02')).id).toBe(run.id);

    const cancelled = await planner.api.post<RunWithFailures>(`/v1/billing-runs/${run.id}/cancel`, {});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id: run.id, status: 'cancelled', accountsBilled: 0, finishedAt: expect.any(String) });
    expect((await planner.api.post(`/v1/billing-runs/${run.id}/cancel`, {})).body).toMatchObject({ status: 'cancelled' });
    expect((await planner.api.post('/v1/billing-runs/run-none/cancel', {})).status).toBe(404);

    // a consuming replica takes the cancelled run's jobs off the queue without billing
    const worker = await start({ run: { batchSize: 2 } });
    await waitFor(async () => (await nc.jetstreamManager().then((jsm) => jsm.streams.info('BILLING_JOBS'))).state.messages === 0, 'the cancelled jobs to be taken off the queue');
    for (const acc of ids) expect(await billsOf(worker.api, acc, '2026-02')).toEqual([]);
    const [{ n: jobs }] = await sql<{ n: string }>(`select count(*)::text as n from billing.billing_run_job where run_id = $1 and status = 'cancelled'`, [run.id]);
    expect(Number(jobs)).toBe(2);

    // the cancelled run does not hold the month
    const next = await startRun(worker, '2026-02');
    expect(next.id).not.toBe(run.id);
    const done = await finished(worker, next.id);
    expect(done).toMatchObject({ status: 'completed', attempt: 2, accountsBilled: 4, total: '248.00' });
    for (const acc of ids) expect((await billsOf(worker.api, acc, '2026-02')).map((bill) => bill.total)).toEqual(['62.00']);
    expect((await worker.api.get<RunWithFailures>(`/v1/billing-runs/${run.id}`)).body).toMatchObject({ status: 'cancelled', accountsBilled: 0 });
    // an ended run cannot be cancelled
    const late = await worker.api.post(`/v1/billing-runs/${next.id}/cancel`, {});
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ statusCode: 409, code: 'BILLING_RUN_NOT_RUNNING' });
  }, 90_000);

  it('#9.1 the OpenAPI documents the run statuses, accountsFailed, failures, retry-failures and cancel', async () => {
    const app = await start();
    const docs = await app.api.withToken(null).get<{ paths: Record<string, unknown>; components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> } }>('/docs-json');
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/v1/billing-runs/{id}/failures', '/v1/billing-runs/{id}/retry-failures', '/v1/billing-runs/{id}/cancel']),
    );
    const run = docs.body.components.schemas['BillingRunView'].properties;
    expect(run['status'].enum).toEqual(expect.arrayContaining(['running', 'completed', 'completed_with_failures', 'cancelled']));
    expect(run).toHaveProperty('accountsFailed');
    expect(Object.keys(docs.body.components.schemas['BillingRunFailureView'].properties).sort()).toEqual(['accountId', 'attempts', 'code', 'failedAt', 'message']);
  });

  it('#9.6 a job longer than the ack wait is not redelivered while it runs (in-progress heartbeats); the consumer bounds deliveries', async () => {
    catalog.price('hb-cec', '31.00');
    const app = await start({ run: { batchSize: 5, jobAckWaitMs: 1000 } });
    const jsm = await nc.jetstreamManager();
    const consumer = await jsm.consumers.info(STREAMS.billingJobs.name, CONSUMERS.billingRunJobs);
    // the bound (3 attempts, +3 spare deliveries for a replica dying in its last attempt) is kept by
    // JetStreamService, which ends a job past it in its terminal callback: the server must never drop
    // a job whose terminal callback failed, so its own max_deliver is unbounded; a short ack wait
    expect(consumer.config.max_deliver).toBe(-1);
    expect(consumer.config.ack_wait).toBe(1000 * 1_000_000);
    const ids = await accounts(app, 'hb', 2);
    for (const acc of ids) metering.set(acc, `${acc}-s1`, '2026-03', days('2026-03', 1, 31, 1, 'hb-cec'));
    metering.delayMs = 3500; // the job takes more than three ack waits
    const requestsBefore = metering.usageRequests().length;
    try {
      const run = await finished(app, (await startRun(app, '2026-03')).id);
      expect(run).toMatchObject({ status: 'completed', accountsBilled: 2, total: '62.00' });
    } finally {
      metering.delayMs = 0;
    }
    // delivered once: without `working()` it would have been redelivered (and asked again) meanwhile
    expect(metering.usageRequests().slice(requestsBefore)).toHaveLength(1);
  }, 60_000);
});
