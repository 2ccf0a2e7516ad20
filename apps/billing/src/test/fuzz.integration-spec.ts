import { NatsConnection } from 'nats';
import { connectNats, fuzzRoutes, resetSchema, RunningTestApp, sql, useTestEnvironment } from '@cec/testing';
import { BILLING_ORM } from '../billing.module-def';
import { days, FakeCatalog, FakeMetering } from './support/fake-apps';
import { BillBody, billsOf, counts, createAccount, resetBillingStreams, runPeriod, startBilling, uniqueId } from './support/billing-harness';

useTestEnvironment();

describe('billing under hostile input (issue #8)', () => {
  let nc: NatsConnection;
  let running: RunningTestApp;
  let metering: FakeMetering;
  let catalog: FakeCatalog;
  let acc: string;

  beforeAll(async () => {
    await resetSchema(BILLING_ORM);
    nc = await connectNats();
    await resetBillingStreams(nc);
    metering = new FakeMetering(nc);
    catalog = new FakeCatalog(nc);
    running = await startBilling({ testClock: true });
    acc = uniqueId('fuzz');
    await createAccount(nc, running.api, acc);
  });

  afterAll(async () => {
    await running?.close();
    metering?.close();
    catalog?.close();
    await nc?.drain();
  });

  it.each<[string, string, string, RegExp]>([
    ['GET /v1/bills?accountId[a]=1', '/v1/bills?accountId[a]=1', 'accountId', /\baccountId\b/],
    ['GET /v1/bills?accountId=a&accountId=b', '/v1/bills?accountId=a&accountId=b', 'accountId', /\baccountId must be given once/],
    ['GET /v1/billing-runs?period[a]=1', '/v1/billing-runs?period[a]=1', 'period', /\bperiod\b/],
    ['GET /v1/billing-runs?period=2025-01&period=2025-02', '/v1/billing-runs?period=2025-01&period=2025-02', 'period', /\bperiod must be given once/],
  ])('#8.4 %s is a 400 naming the parameter, not "no filter"', async (_name, path, _param, message) => {
    const response = await running.api.get(path);
    expect(response.body).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(message) });
  });

  it.each<[string, 'POST' | 'PUT', () => string, unknown, RegExp]>([
    ['#8.2 a discount from year 0000', 'POST', () => '/v1/discounts', { accountId: 'x', rate: '0.1', effectiveFrom: '0000-01-01' }, /^effectiveFrom must be a calendar date from 1970-01-01/],
    ['#8.2 a discount to year 99999', 'POST', () => '/v1/discounts', { accountId: 'x', rate: '0.1', effectiveFrom: '2026-01-01', effectiveTo: '99999-01-01' }, /^effectiveTo must be/],
    ['#8.2 a NUL in a top-up reference', 'POST', () => `/v1/accounts/${acc}/top-ups`, { amount: '1.00', reference: 'r\u0000' }, /^reference must/],
    ['#8.2 a NUL in a path id', 'POST', () => '/v1/accounts/a%00b/top-ups', { amount: '1.00', reference: 'r1' }, /\bid must/],
    ['#8.3 the test clock at +25:00', 'PUT', () => '/v1/test/clock', { now: '2026-05-01T00:00:00+25:00' }, /^now must have an offset from -14:00 to \+14:00/],
    ['#8.2 the test clock in year 0001', 'PUT', () => '/v1/test/clock', { now: '0001-01-01T00:00:00+08:00' }, /^now must be an instant from 1970-01-01/],
  ])('%s is a 400 naming the field, and nothing changes', async (_name, method, path, body, message) => {
    const before = await counts();
    const response = method === 'PUT' ? await running.api.put(path(), body) : await running.api.post(path(), body);
    expect(response.body).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(message) });
    expect(await counts()).toEqual(before);
  });

  it('#8.5 bill lines hold quantityDays beyond 32 bits: the column is bigint and a run bills such a month exactly', async () => {
    const [column] = await sql<{ data_type: string }>(`select data_type from information_schema.columns where table_schema = 'billing' and table_name = 'bill_line' and column_name = 'quantity_days'`);
    expect(column.data_type).toBe('bigint');
    const big = uniqueId('big');
    await createAccount(nc, running.api, big);
    catalog.price('big-cec', '1.00');
    metering.set(big, `${big}-s1`, '2025-01', days('2025-01', 1, 31, 100_000_000, 'big-cec'));
    const run = await runPeriod(running.api, '2025-01');
    expect(run.status).toBe('completed');
    const [bill] = (await billsOf(running.api, big, '2025-01')) as BillBody[];
    expect(bill.lines).toEqual([expect.objectContaining({ quantityDays: 3_100_000_000, daysInPeriod: 31, listAmount: '100000000.00' })]);
  });

  it('#8.2 #8.3 #8.4 #8.5 fuzz: hostile bodies, queries and path ids on every route: never a 5xx, always a JSON error, no 4xx changes anything', async () => {
    // a 2xx move of the test clock starts the runs of the months it ended (R7.3): they finish before
    // the next request is judged, so that a run's writes are never taken for a 4xx's
    const idle = async (): Promise<boolean> => {
      const [{ busy }] = await sql<{ busy: string }>(
        `select ((select count(*) from billing.billing_run where status = 'running') +
                 (select count(*) from billing.outbox where published_at is null and failed_at is null) +
                 (select count(*) from billing.guard_dirty))::text as busy`,
      );
      return busy === '0';
    };
    const report = await fuzzRoutes({ baseUrl: running.api.baseUrl, app: running.app, schema: 'billing', numRuns: 300, seed: 8_004, idle });
    console.log(`billing fuzz: ${report.requests} requests over ${report.routes.length} routes (${report.routes.join(', ')}); statuses ${JSON.stringify(report.statuses)}`);
    expect(report.routes.length).toBeGreaterThanOrEqual(12);
    expect(report.failures).toEqual([]);
  });
});
