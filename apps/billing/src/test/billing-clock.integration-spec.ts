import { NatsConnection } from 'nats';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DateTime } from 'luxon';
import { connectNats, resetSchema, RunningTestApp, useTestEnvironment } from '@cec/testing';
import { BILLING_ORM } from '../billing.module-def';
import { BillingScheduler, MONTHLY_RUN_CRON, MONTHLY_RUN_JOB } from '../scheduling/billing.scheduler';
import { days, FakeCatalog, FakeMetering } from './support/fake-apps';
import { assertLedgerInvariant, billsOf, counts, createAccount, resetBillingStreams, RunBody, startBilling, uniqueId, waitFor, waitForRun } from './support/billing-harness';

useTestEnvironment();

interface ClockBody {
  now: string;
  frozen: boolean;
  runsStarted: RunBody[];
}

describe('billing: the scheduler (R7.1) and the test clock', () => {
  let nc: NatsConnection;
  let running: RunningTestApp;
  let metering: FakeMetering;
  let catalog: FakeCatalog;

  beforeAll(async () => {
    await resetSchema(BILLING_ORM);
    nc = await connectNats();
    await resetBillingStreams(nc);
    metering = new FakeMetering(nc);
    catalog = new FakeCatalog(nc);
    running = await startBilling({ testClock: true });
  });

  afterAll(async () => {
    await running?.close();
    metering?.close();
    catalog?.close();
    await nc?.drain();
  });

  afterEach(async () => {
    await assertLedgerInvariant();
  });

  it('R7.1/R2.1 the cron job runs at 00:00 on day 1 in Asia/Shanghai, not in the host zone', () => {
    const job = running.app.get(SchedulerRegistry).getCronJob(MONTHLY_RUN_JOB);
    expect(job.cronTime.source).toBe(MONTHLY_RUN_CRON);
    expect(job.cronTime.timeZone).toBe('Asia/Shanghai');
    const next = job.cronTime.getNextDateFrom(DateTime.fromISO('2026-03-15T12:00:00Z'), job.cronTime.timeZone).setZone('Asia/Shanghai');
    expect(next.toISO({ suppressMilliseconds: true })).toBe('2026-04-01T00:00:00+08:00');
    // 2026-03-31T16:00:00Z is already April 1st in UTC+8: the next firing is May 1st
    const after = job.cronTime.getNextDateFrom(DateTime.fromISO('2026-03-31T16:00:01Z'), job.cronTime.timeZone).setZone('Asia/Shanghai');
    expect(after.toISO({ suppressMilliseconds: true })).toBe('2026-05-01T00:00:00+08:00');
    // the live job's next firing, whatever the host zone: 00:00:00 of a 1st in UTC+8
    const live = job.nextDate().setZone('Asia/Shanghai');
    expect([live.day, live.hour, live.minute, live.second]).toEqual([1, 0, 0, 0]);
  });

  it('reads the clock: it follows the system clock until set', async () => {
    const read = await running.api.get<ClockBody>('/v1/test/clock');
    expect(read.status).toBe(200);
    expect(read.body.frozen).toBe(false);
    expect(Math.abs(DateTime.fromISO(read.body.now).toMillis() - Date.now())).toBeLessThan(10_000);
  });

  it('R7.2/R7.1 the clock decides when a month has ended; moving it across 00:00 UTC+8 of the 1st runs the month that ended (trigger schedule)', async () => {
    catalog.price('tc-cec', '31.00');
    const acc = uniqueId('tc');
    await createAccount(nc, running.api, acc, '2026-02-01T00:00:00+08:00');
    metering.set(acc, `${acc}-s1`, '2026-03', days('2026-03', 1, 31, 2, 'tc-cec'));
    const back = await running.api.put<ClockBody>('/v1/test/clock', { now: '2026-03-31T23:59:59+08:00' });
    expect(back.status).toBe(200);
    expect(back.body).toEqual({ now: '2026-03-31T23:59:59+08:00', frozen: true, runsStarted: [] });
    const before = await counts();
    const early = await running.api.post('/v1/billing-runs', { period: '2026-03' });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'PERIOD_NOT_ENDED' });
    expect(await counts()).toEqual(before);

    const crossed = await running.api.put<ClockBody>('/v1/test/clock', { now: '2026-03-31T16:00:00Z' });
    expect(crossed.body.now).toBe('2026-04-01T00:00:00+08:00');
    expect(crossed.body.runsStarted.map((run) => [run.period, run.trigger])).toEqual([['2026-03', 'schedule']]);
    const run = await waitForRun(running.api, crossed.body.runsStarted[0].id);
    expect(run).toMatchObject({ status: 'completed', trigger: 'schedule', billsIssued: 1, total: '62.00' });
    const [bill] = await billsOf(running.api, acc, '2026-03');
    expect(bill).toMatchObject({ total: '62.00', issuedAt: '2026-04-01T00:00:00+08:00' });

    const still = await running.api.put<ClockBody>('/v1/test/clock', { now: '2026-04-20T10:00:00+08:00' });
    expect(still.body.runsStarted).toEqual([]);
  });

  it('R7.1 a move across several month starts runs every month that ended in between; the scheduler does not repeat a completed month', async () => {
    const moved = await running.api.put<ClockBody>('/v1/test/clock', { now: '2026-06-01T00:00:01+08:00' });
    expect(moved.body.runsStarted.map((run) => run.period)).toEqual(['2026-04', '2026-05']);
    for (const run of moved.body.runsStarted) expect((await waitForRun(running.api, run.id)).status).toBe('completed');
    // the cron's own handler at 00:00 of July 1st (UTC+8): runs June; a second tick does not repeat it
    await running.api.put<ClockBody>('/v1/test/clock', { now: '2026-06-30T23:00:00+08:00' });
    const scheduler = running.app.get(BillingScheduler);
    await running.api.put<ClockBody>('/v1/test/clock', { now: '2026-06-30T16:00:05Z' }).then((response) => {
      expect(response.body.runsStarted.map((run) => run.period)).toEqual(['2026-06']);
    });
    await waitFor(async () => {
      const runs = (await running.api.get<RunBody[]>('/v1/billing-runs?period=2026-06')).body;
      return runs.length === 1 && runs[0].status === 'completed';
    }, 'June run to complete');
    await scheduler.monthlyRun();
    const runs = (await running.api.get<RunBody[]>('/v1/billing-runs?period=2026-06')).body;
    expect(runs).toHaveLength(1);
  });

  it('refuses a bad instant (R8.1) and goes back to the system clock on DELETE', async () => {
    const bad = await running.api.put('/v1/test/clock', { now: '2026-04-01' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(/now/) });
    const reset = await running.api.delete<ClockBody>('/v1/test/clock');
    expect(reset.status).toBe(200);
    expect(reset.body.frozen).toBe(false);
    expect(Math.abs(DateTime.fromISO(reset.body.now).toMillis() - Date.now())).toBeLessThan(10_000);
    for (const run of reset.body.runsStarted) await waitForRun(running.api, run.id);
  });

  it('without BILLING_TEST_CLOCK the test clock does not exist: 404', async () => {
    const plain = await startBilling({ testClock: false });
    try {
      for (const response of [
        await plain.api.get('/v1/test/clock'),
        await plain.api.put('/v1/test/clock', { now: '2026-04-01T00:00:00+08:00' }),
        await plain.api.delete('/v1/test/clock'),
      ]) {
        expect(response.status).toBe(404);
        expect(response.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
      }
      const docs = await plain.api.withToken(null).get<{ paths: Record<string, unknown> }>('/docs-json');
      expect(Object.keys(docs.body.paths)).not.toContain('/v1/test/clock');
    } finally {
      await plain.close();
    }
  });
});
