import { NatsConnection } from 'nats';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DateTime } from 'luxon';
import { STREAMS, SUBJECTS } from '@cec/contracts';
import { connectNats, publishJson, resetSchema, RunningTestApp, sql, useTestEnvironment } from '@cec/testing';
import { BILLING_ORM } from '../billing.module-def';
import { BillingScheduler, SCHEDULER_TICK_CRON, SCHEDULER_TICK_JOB } from '../scheduling/billing.scheduler';
import { days, FakeCatalog, FakeMetering } from './support/fake-apps';
import { assertLedgerInvariant, billsOf, counts, createAccount, resetBillingStreams, RunBody, startBilling, uniqueId, waitFor, waitForRun } from './support/billing-harness';

useTestEnvironment();

interface DeadLetterBody {
  id: string;
  subject: string;
  messageKey: string;
  messageId: string | null;
  code: string;
  message: string;
  payload: unknown;
  receivedAt: string;
}

async function publishRaw(nc: NatsConnection, subject: string, text: string, msgId: string): Promise<void> {
  await nc.jetstream().publish(subject, new TextEncoder().encode(text), { msgID: msgId });
}

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
    // the scheduler's tick runs every ended month of the look-back for the accounts it knows: this
    // suite starts from no accounts at all (billing's suites share a private nats-server, one
    // suite at a time), so that the runs each move starts are those of its own accounts
    const jsm = await nc.jetstreamManager();
    await jsm.streams.purge(STREAMS.billingEvents.name, { filter: SUBJECTS.accountCreated }).catch(() => undefined);
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

  const scheduler = (): BillingScheduler => running.app.get(BillingScheduler);

  it('R7.1/R2.1/#9.5 the scheduler ticks every 5 minutes in Asia/Shanghai, 00:00:00 of each 1st included, not in the host zone', () => {
    const job = running.app.get(SchedulerRegistry).getCronJob(SCHEDULER_TICK_JOB);
    expect(job.cronTime.source).toBe(SCHEDULER_TICK_CRON);
    expect(job.cronTime.timeZone).toBe('Asia/Shanghai');
    // the last tick of March (UTC+8) is at 23:55; the next one is 00:00:00 on April 1st
    const next = job.cronTime.getNextDateFrom(DateTime.fromISO('2026-03-31T15:55:01Z'), job.cronTime.timeZone).setZone('Asia/Shanghai');
    expect(next.toISO({ suppressMilliseconds: true })).toBe('2026-04-01T00:00:00+08:00');
    const after = job.cronTime.getNextDateFrom(DateTime.fromISO('2026-03-31T16:00:01Z'), job.cronTime.timeZone).setZone('Asia/Shanghai');
    expect(after.toISO({ suppressMilliseconds: true })).toBe('2026-04-01T00:05:00+08:00');
    // the live job's next firing, whatever the host zone: a multiple of 5 minutes in UTC+8
    const live = job.nextDate().setZone('Asia/Shanghai');
    expect([live.minute % 5, live.second]).toEqual([0, 0]);
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
    await createAccount(nc, running.api, acc, '2026-03-01T00:00:00+08:00');
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
    expect(await scheduler.tick()).toEqual([]);
    const runs = (await running.api.get<RunBody[]>('/v1/billing-runs?period=2026-06')).body;
    expect(runs).toHaveLength(1);
  });

  it('#9.5 a tick at 23:59:59 on the last day runs nothing new and does not rerun the month before; the next tick after 00:00 runs the month that just ended', async () => {
    const acc = uniqueId('t95');
    await createAccount(nc, running.api, acc, '2026-07-01T00:00:00+08:00');
    metering.set(acc, `${acc}-s1`, '2026-07', days('2026-07', 1, 31, 1, 'tc-cec'));
    const scheduler = running.app.get(BillingScheduler);
    // a tick a little early (or on a replica whose clock is behind): July has not ended in UTC+8
    const early = await running.api.put<ClockBody>('/v1/test/clock', { now: '2026-07-31T23:59:59+08:00' });
    expect(early.body.runsStarted).toEqual([]);
    expect(await scheduler.tick()).toEqual([]);
    expect((await running.api.get<RunBody[]>('/v1/billing-runs?period=2026-06')).body).toHaveLength(1);
    expect((await running.api.get<RunBody[]>('/v1/billing-runs?period=2026-07')).body).toHaveLength(0);
    // the next tick, at 00:00:00 on August 1st (UTC+8), runs July
    const onTime = await running.api.put<ClockBody>('/v1/test/clock', { now: '2026-07-31T16:00:00Z' });
    expect(onTime.body.runsStarted.map((run) => [run.period, run.trigger])).toEqual([['2026-07', 'schedule']]);
    expect(await waitForRun(running.api, onTime.body.runsStarted[0].id)).toMatchObject({ status: 'completed' });
    expect(await billsOf(running.api, acc, '2026-07')).toEqual([expect.objectContaining({ total: '31.00' })]);
    expect(await scheduler.tick()).toEqual([]);
  });

  it('#9.4 an account created after its month\'s run, with full months of usage, is billed for those months by the next tick, once', async () => {
    const late = uniqueId('late');
    metering.set(late, `${late}-s1`, '2026-06', days('2026-06', 1, 30, 2, 'tc-cec'));
    metering.set(late, `${late}-s1`, '2026-07', days('2026-07', 1, 31, 3, 'tc-cec'));
    // June and July have completed runs; the account reaches billing on August 5th
    await createAccount(nc, running.api, late, '2026-08-05T09:00:00+08:00');
    const tick = await running.api.put<ClockBody>('/v1/test/clock', { now: '2026-08-05T09:05:00+08:00' });
    // each plans the accounts not processed for its month (here also #9.5's account, without June usage)
    expect(tick.body.runsStarted.map((run) => [run.period, run.trigger])).toEqual([
      ['2026-06', 'schedule'],
      ['2026-07', 'schedule'],
    ]);
    for (const run of tick.body.runsStarted) expect(await waitForRun(running.api, run.id)).toMatchObject({ status: 'completed', billsIssued: 1 });
    expect(await billsOf(running.api, late, '2026-06')).toEqual([expect.objectContaining({ total: '62.00' })]);
    expect(await billsOf(running.api, late, '2026-07')).toEqual([expect.objectContaining({ total: '93.00' })]);
    // exactly once: later ticks and an operator rerun bill nobody twice
    expect(await scheduler().tick()).toEqual([]);
    const rerun = await running.api.post<RunBody>('/v1/billing-runs', { period: '2026-07' });
    expect(rerun.status).toBe(202);
    expect(await waitForRun(running.api, rerun.body.id)).toMatchObject({ accountsTotal: 0, billsIssued: 0 });
    expect(await billsOf(running.api, late, '2026-07')).toHaveLength(1);
    const [{ doubled }] = await sql<{ doubled: string }>(
      "select count(*)::text as doubled from (select account_id, period from billing.bill group by 1, 2 having count(*) > 1) d",
    );
    expect(doubled).toBe('0');
  });

  it('#9.4 usage that reaches a month never processed for an already billed account gets that month its first bill, by the tick after its next run', async () => {
    const gap = uniqueId('gap');
    await createAccount(nc, running.api, gap, '2026-08-06T09:00:00+08:00');
    metering.set(gap, `${gap}-s1`, '2026-08', days('2026-08', 6, 31, 1, 'tc-cec'));
    const september = await running.api.put<ClockBody>('/v1/test/clock', { now: '2026-08-31T16:00:00Z' });
    expect(september.body.runsStarted.map((run) => run.period)).toEqual(['2026-08']);
    await waitForRun(running.api, september.body.runsStarted[0].id);
    expect(await billsOf(running.api, gap, '2026-08')).toEqual([expect.objectContaining({ total: '26.00' })]);

    // a subscription enabled back in June is reported now: June was never processed for the account
    metering.set(gap, `${gap}-s2`, '2026-06', days('2026-06', 1, 30, 1, 'tc-cec'));
    // September's run processes the account, sees the write and hands June to the scheduler ...
    const october = await running.api.put<ClockBody>('/v1/test/clock', { now: '2026-09-30T16:00:00Z' });
    expect(october.body.runsStarted.map((run) => run.period)).toEqual(['2026-09']);
    await waitForRun(running.api, october.body.runsStarted[0].id);
    expect(await billsOf(running.api, gap, '2026-06')).toEqual([]);
    // ... whose next tick runs it (and July, never processed for the account either: nothing to bill)
    const next = await running.api.put<ClockBody>('/v1/test/clock', { now: '2026-10-01T00:05:00+08:00' });
    expect(next.body.runsStarted.map((run) => run.period)).toEqual(['2026-06', '2026-07']);
    for (const run of next.body.runsStarted) await waitForRun(running.api, run.id);
    const [june] = await billsOf(running.api, gap, '2026-06');
    expect(june).toMatchObject({ total: '31.00', lines: [expect.objectContaining({ forPeriod: '2026-06', kind: 'usage', quantityDays: 30 })] });
    expect(await billsOf(running.api, gap, '2026-07')).toEqual([]);
    expect(await scheduler().tick()).toEqual([]);
    expect((await billsOf(running.api, gap)).map((bill) => bill.period).sort()).toEqual(['2026-06', '2026-08']);
  });

  it('#9.8 malformed account.created: a message that is not JSON or not a valid event is dead-lettered (GET /v1/dead-letters), good ones still recorded', async () => {
    const good = uniqueId('good');
    await publishRaw(nc, SUBJECTS.accountCreated, '{not json', `bad-json-${good}`);
    await publishJson(nc, SUBJECTS.accountCreated, { id: `evt-bad-${good}`, occurredAt: '2026-08-05T09:00:00+08:00', accountId: 'white space', name: 'x' }, `bad-id-${good}`);
    await createAccount(nc, running.api, good, '2026-08-05T09:00:00+08:00');
    const letters = await waitFor(async () => {
      const response = await running.api.get<DeadLetterBody[]>('/v1/dead-letters?limit=50');
      const mine = response.body.filter((letter) => letter.messageId === `bad-json-${good}` || letter.messageId === `bad-id-${good}`);
      return mine.length === 2 ? mine : undefined;
    }, 'two dead letters');
    const byId = Object.fromEntries(letters.map((letter) => [letter.messageId, letter]));
    expect(byId[`bad-json-${good}`]).toMatchObject({ subject: SUBJECTS.accountCreated, code: 'MALFORMED_MESSAGE', payload: '{not json' });
    expect(byId[`bad-id-${good}`]).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/accountId/), payload: expect.objectContaining({ accountId: 'white space' }) });
    expect(byId[`bad-id-${good}`].messageKey).toMatch(/^BILLING_EVENTS:\d+$/);
    expect((await running.api.get('/v1/accounts/white%20space/balance')).body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' }); // not an id: never recorded
    const bad = await running.api.get('/v1/dead-letters?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/limit/) });
    // the query goes through its zod schema: a repeated, nested, fractional or unknown parameter is a 400 naming it
    for (const query of ['limit=1&limit=2', 'limit[a]=1', 'limit=1.5', 'limit=1001', 'limits=5']) {
      const refused = await running.api.get(`/v1/dead-letters?${query}`);
      expect([query, refused.status, refused.body]).toMatchObject([query, 400, { code: 'VALIDATION_FAILED', message: expect.stringMatching(/limit/) }]);
    }
  });

  it('#9.8 a poison account.created (NUL in the name, NUL bytes in a message that is not JSON) is dead-lettered, and the feed behind it is not held up', async () => {
    const good = uniqueId('after-poison');
    await publishRaw(nc, SUBJECTS.accountCreated, 'not json \u0000 at all', `nul-raw-${good}`);
    await publishJson(nc, SUBJECTS.accountCreated, { id: `evt-nul-${good}`, occurredAt: '2026-08-05T09:00:00+08:00', accountId: `nul-${good}`, name: 'Acme\u0000Corp' }, `nul-name-${good}`);
    await createAccount(nc, running.api, good, '2026-08-05T09:00:00+08:00');
    const letters = await waitFor(async () => {
      const response = await running.api.get<DeadLetterBody[]>('/v1/dead-letters?limit=50');
      const mine = response.body.filter((letter) => letter.messageId === `nul-raw-${good}` || letter.messageId === `nul-name-${good}`);
      return mine.length === 2 ? mine : undefined;
    }, 'two dead letters');
    const byId = Object.fromEntries(letters.map((letter) => [letter.messageId, letter]));
    expect(byId[`nul-raw-${good}`]).toMatchObject({ code: 'MALFORMED_MESSAGE', payload: 'not json \ufffd at all' });
    expect(byId[`nul-name-${good}`]).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/name/) });
    expect((await running.api.get(`/v1/accounts/nul-${good}/balance`)).status).toBe(404);
    expect((await running.api.get(`/v1/accounts/${good}/balance`)).status).toBe(200);
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
