import type { NatsConnection } from 'nats';
import { MonthlyUsageReply, PATTERNS, SUBJECTS, UsageRevisionsReply, fromUsageRuns, SubscriptionUsageMessage, DailyUsageMessage } from '@cec/contracts';
import { Client } from 'pg';
import { TIMELINE_REVISION_LOCK } from '@cec/metering-persistence';
import { connectNats, publishJson, resetSchema, RunningTestApp, sql, startTestApp, TEST_DATABASE_URL, TestRpcClient, useTestEnvironment } from '@cec/testing';
import { MeteringAppModule } from '../app.module';
import { METERING_ORM } from '../metering.module-def';
import { ChangeInput, eventually, ids, publishChanges, resetMeteringStreams } from './metering-test-support';

useTestEnvironment();

interface DailyUsage {
  subscriptionId: string;
  period: string;
  days: Array<{ date: string; quantity: number }>;
  quantityDays: number;
}

const ACC_A = ids('acc-a');
const ACC_B = ids('acc-b');
const ACC_C = ids('acc-c');

/** Subscriptions of the worked examples and the R4.1 boundaries. */
const SUBS = {
  midnight: ids('sub-midnight'),
  e3: ids('sub-e3'),
  cancelMidnight: ids('sub-cancel'),
  e2: ids('sub-e2'),
  e1: ids('sub-e1'),
  edition: ids('sub-edition'),
  gone: ids('sub-gone'),
  other: ids('sub-other'),
};

const CHANGES: ChangeInput[] = [
  // R4.1: 3 from Nov 1, 5 from exactly 00:00:00 +08:00 on Nov 10
  { subscriptionId: SUBS.midnight, accountId: ACC_A, sequence: 1, effectiveAt: '2025-11-01T00:00:00+08:00', quantity: 3 },
  { subscriptionId: SUBS.midnight, accountId: ACC_A, sequence: 2, effectiveAt: '2025-11-10T00:00:00+08:00', quantity: 5 },
  // E3: 3 channels from Nov 1 (the 9-channel peak comes as usage events)
  { subscriptionId: SUBS.e3, accountId: ACC_A, sequence: 1, effectiveAt: '2025-11-01T00:00:00+08:00', quantity: 3, productCode: 'voice-chatbot' },
  // R4.1 / R3.2: 4 from Nov 1, cancelled at exactly 00:00:00 +08:00 on Nov 10
  { subscriptionId: SUBS.cancelMidnight, accountId: ACC_B, sequence: 1, effectiveAt: '2025-11-01T00:00:00+08:00', quantity: 4 },
  { subscriptionId: SUBS.cancelMidnight, accountId: ACC_B, sequence: 2, effectiveAt: '2025-11-10T00:00:00+08:00', quantity: 4, status: 'cancelled' },
  // E2: enabled 2025-08-31T16:00:00Z = Sep 1 00:00 in UTC+8
  { subscriptionId: SUBS.e2, accountId: ACC_B, sequence: 1, effectiveAt: '2025-08-31T16:00:00Z', quantity: 1 },
  // E1: 6 agents from 2025-07-09T15:20:00+08:00
  { subscriptionId: SUBS.e1, accountId: ACC_C, sequence: 1, effectiveAt: '2025-07-09T15:20:00+08:00', quantity: 6 },
  // R3.5 / R4.2: edition change mid-day on Nov 5
  { subscriptionId: SUBS.edition, accountId: ACC_C, sequence: 1, effectiveAt: '2025-10-15T09:00:00+08:00', quantity: 2, productCode: 'professional-cec' },
  { subscriptionId: SUBS.edition, accountId: ACC_C, sequence: 2, effectiveAt: '2025-11-05T12:00:00+08:00', quantity: 2, productCode: 'advanced-cec', kind: 'edition_changed' },
  // cancelled before November: no line in November
  { subscriptionId: SUBS.gone, accountId: ACC_C, sequence: 1, effectiveAt: '2025-09-01T00:00:00+08:00', quantity: 7 },
  { subscriptionId: SUBS.gone, accountId: ACC_C, sequence: 2, effectiveAt: '2025-10-01T00:00:00+08:00', quantity: 7, status: 'cancelled' },
  // an account nobody asks about
  { subscriptionId: SUBS.other, accountId: ids('acc-other'), sequence: 1, effectiveAt: '2025-11-01T00:00:00+08:00', quantity: 1 },
];

const daysOf = (usage: SubscriptionUsageMessage | undefined): DailyUsageMessage[] => fromUsageRuns(usage?.runs ?? []);

describe('metering queries: daily usage (R4.1), monthly usage and revisions for billing', () => {
  let running: RunningTestApp;
  let nc: NatsConnection;
  let rpc: TestRpcClient;

  beforeAll(async () => {
    await resetSchema(METERING_ORM);
    nc = await connectNats();
    await resetMeteringStreams(nc);
    running = await startTestApp(MeteringAppModule.register(), { app: 'metering', title: 'metering', description: 'test' });
    rpc = new TestRpcClient();
    await publishChanges(nc, CHANGES);
    const e3 = await running.api.post('/v1/usage-events', {
      events: [
        { id: ids('e3-peak'), subscriptionId: SUBS.e3, quantity: 9, timestamp: '2025-11-05T10:00:00+08:00' },
        { id: ids('e3-back'), subscriptionId: SUBS.e3, quantity: 3, timestamp: '2025-11-05T02:05:00Z' },
      ],
    });
    expect(e3.body).toMatchObject({ accepted: 2 });
  });

  afterAll(async () => {
    await rpc?.close();
    await running?.close();
    await nc?.close();
  });

  async function usage(subscriptionId: string, period: string): Promise<DailyUsage> {
    const response = await running.api.get<DailyUsage>(`/v1/usage?subscriptionId=${subscriptionId}&period=${period}`);
    expect(response.status).toBe(200);
    return response.body;
  }

  function byDate(view: DailyUsage): Record<string, number> {
    return Object.fromEntries(view.days.map((day) => [day.date, day.quantity]));
  }

  it('R4.1: every day of the month is listed in order, zeros included', async () => {
    const view = await usage(SUBS.e2, '2025-08');
    expect(view).toEqual({
      subscriptionId: SUBS.e2,
      period: '2025-08',
      days: Array.from({ length: 31 }, (_, i) => ({ date: `2025-08-${String(i + 1).padStart(2, '0')}`, quantity: 0 })),
      quantityDays: 0,
    });
  });

  it('R4.1: a change at exactly 00:00:00 +08:00 belongs to the new day only', async () => {
    const days = byDate(await usage(SUBS.midnight, '2025-11'));
    expect([days['2025-11-09'], days['2025-11-10']]).toEqual([3, 5]);
  });

  it('E3 / R4.1: a peak inside a day counts for the whole day: quantityDays 96', async () => {
    const view = await usage(SUBS.e3, '2025-11');
    const days = byDate(view);
    expect([days['2025-11-04'], days['2025-11-05'], days['2025-11-06']]).toEqual([3, 9, 3]);
    expect(view.quantityDays).toBe(96);
  });

  it('R4.1 / R3.2: cancelled at 00:00:00 +08:00, that day is not counted', async () => {
    const view = await usage(SUBS.cancelMidnight, '2025-11');
    const days = byDate(view);
    expect([days['2025-11-09'], days['2025-11-10']]).toEqual([4, 0]);
    expect(view.quantityDays).toBe(36);
  });

  it('E2 / R2.3: enabled at 2025-08-31T16:00:00Z counts nothing in August and all 30 days of September', async () => {
    expect((await usage(SUBS.e2, '2025-08')).quantityDays).toBe(0);
    const september = await usage(SUBS.e2, '2025-09');
    expect(september.days[0]).toEqual({ date: '2025-09-01', quantity: 1 });
    expect(september.quantityDays).toBe(30);
  });

  it('E1 / R4.1: 6 agents from 2025-07-09T15:20:00+08:00 count days 9-31: quantityDays 138', async () => {
    const view = await usage(SUBS.e1, '2025-07');
    expect(byDate(view)['2025-07-08']).toBe(0);
    expect(byDate(view)['2025-07-09']).toBe(6);
    expect(view.quantityDays).toBe(138);
  });

  describe('R8.1 bad queries', () => {
    it.each<[string, string, number, string, RegExp]>([
      ['an unknown subscription', `subscriptionId=${ids('nope')}&period=2025-11`, 404, 'SUBSCRIPTION_NOT_FOUND', /nope/],
      ['a month 13', `subscriptionId=${SUBS.e3}&period=2025-13`, 400, 'VALIDATION_FAILED', /period/],
      ['a month without its zero', `subscriptionId=${SUBS.e3}&period=2025-1`, 400, 'VALIDATION_FAILED', /period/],
      ['a date instead of a month', `subscriptionId=${SUBS.e3}&period=2025-11-01`, 400, 'VALIDATION_FAILED', /period/],
      ['no period', `subscriptionId=${SUBS.e3}`, 400, 'VALIDATION_FAILED', /period/],
      ['no subscriptionId', 'period=2025-11', 400, 'VALIDATION_FAILED', /subscriptionId/],
      ['a bad period for an unknown subscription (400 first)', `subscriptionId=${ids('nope')}&period=11-2025`, 400, 'VALIDATION_FAILED', /period/],
      ['an unknown parameter', `subscriptionId=${SUBS.e3}&period=2025-11&colour=red`, 400, 'VALIDATION_FAILED', /colour/],
    ])('%s', async (_name, query, status, code, message) => {
      const response = await running.api.get(`/v1/usage?${query}`);
      expect(response.status).toBe(status);
      expect(response.body).toEqual({ statusCode: status, code, message: expect.stringMatching(message) });
    });
  });

  it('R4.1 / R4.2: the monthly-usage request/reply answers a batch of accounts in one round trip, days with q > 0 and their products', async () => {
    const reply = await rpc.request<MonthlyUsageReply>(PATTERNS.meteringMonthlyUsage, { period: '2025-11', accountIds: [ACC_A, ACC_B, ACC_C, ids('acc-unknown')] });
    expect(reply.period).toBe('2025-11');
    expect(reply.asOfRevision).toMatch(/^[1-9]\d*$/);
    const bySub = new Map(reply.subscriptions.map((s) => [s.subscriptionId, s]));
    // not the one cancelled before November, nor the account nobody asked about
    expect([...bySub.keys()].sort()).toEqual([SUBS.cancelMidnight, SUBS.e1, SUBS.e2, SUBS.e3, SUBS.edition, SUBS.midnight].sort());
    expect(bySub.get(SUBS.e3)?.accountId).toBe(ACC_A);
    expect(daysOf(bySub.get(SUBS.e3)).reduce((sum, day) => sum + day.quantity, 0)).toBe(96);
    expect(daysOf(bySub.get(SUBS.e3)).find((day) => day.date === '2025-11-05')).toEqual({ date: '2025-11-05', quantity: 9, productCodes: ['voice-chatbot'] });
    const cancelled = daysOf(bySub.get(SUBS.cancelMidnight)) ?? [];
    expect(cancelled.map((day) => day.date)).toEqual(Array.from({ length: 9 }, (_, i) => `2025-11-0${i + 1}`));
    const edition = daysOf(bySub.get(SUBS.edition)) ?? [];
    expect(edition.find((day) => day.date === '2025-11-04')?.productCodes).toEqual(['professional-cec']);
    // #9.8 ordered by the last instant held, not alphabetically: advanced (from 12:00) is held at the end
    expect(edition.find((day) => day.date === '2025-11-05')?.productCodes).toEqual(['professional-cec', 'advanced-cec']);
    expect(edition.find((day) => day.date === '2025-11-06')?.productCodes).toEqual(['advanced-cec']);
    expect(edition).toHaveLength(30);
    // E2 for August: nothing at all
    const august = await rpc.request<MonthlyUsageReply>(PATTERNS.meteringMonthlyUsage, { period: '2025-08', accountIds: [ACC_B] });
    expect(august.subscriptions).toEqual([]);
  });

  it('R6.2: the revisions request/reply reports the earliest period a late write changes, per account', async () => {
    const billed = await rpc.request<MonthlyUsageReply>(PATTERNS.meteringMonthlyUsage, { period: '2025-11', accountIds: [ACC_A, ACC_B, ACC_C] });
    const asOf = billed.asOfRevision;
    const accounts = [ACC_A, ACC_B, ACC_C].map((accountId) => ({ accountId, afterRevision: asOf }));
    expect(await rpc.request<UsageRevisionsReply>(PATTERNS.meteringUsageRevisions, { accounts })).toEqual({ revisions: [] });

    // late usage for October (already billed) on account A, by NATS; and a November change on C
    await publishJson(nc, SUBJECTS.usageReported, { id: ids('late-oct'), subscriptionId: SUBS.edition, quantity: 5, timestamp: '2025-10-20T08:00:00+08:00' }, ids('late-oct'));
    await running.api.post('/v1/usage-events', { events: [{ id: ids('late-nov'), subscriptionId: SUBS.midnight, quantity: 6, timestamp: '2025-11-20T08:00:00+08:00' }] });
    await eventually(async () => (await sql('select 1 from metering.usage_event where id = $1', [ids('late-oct')])).length === 1, 'the late October event');

    const reply = await rpc.request<UsageRevisionsReply>(PATTERNS.meteringUsageRevisions, { accounts });
    expect(reply).toEqual({
      revisions: [
        { accountId: ACC_A, earliestPeriod: '2025-11' },
        { accountId: ACC_C, earliestPeriod: '2025-10' },
      ].sort((a, b) => (a.accountId < b.accountId ? -1 : 1)),
    });
    // after the newest revision: nothing; a duplicate of the late event changes nothing
    const now = await rpc.request<MonthlyUsageReply>(PATTERNS.meteringMonthlyUsage, { period: '2025-10', accountIds: [ACC_C] });
    expect(BigInt(String(now.asOfRevision))).toBeGreaterThan(BigInt(String(asOf)));
    await running.api.post('/v1/usage-events', { events: [{ id: ids('late-oct'), subscriptionId: SUBS.edition, quantity: 5, timestamp: '2025-10-20T08:00:00+08:00' }] });
    expect(await rpc.request<UsageRevisionsReply>(PATTERNS.meteringUsageRevisions, { accounts: [{ accountId: ACC_C, afterRevision: now.asOfRevision }] })).toEqual({ revisions: [] });
    // the October reply reflects the late event
    const october = now.subscriptions.find((s) => s.subscriptionId === SUBS.edition);
    expect(daysOf(october).find((day) => day.date === '2025-10-20')?.quantity).toBe(5);
    expect(daysOf(october).find((day) => day.date === '2025-10-19')?.quantity).toBe(2);
  });

  it('#10 guard: withRevision false answers the same usage with asOfRevision null, without waiting for a write in flight', async () => {
    const request = { period: '2025-11', accountIds: [ACC_A, ACC_B, ACC_C] };
    const consistent = await rpc.request<MonthlyUsageReply>(PATTERNS.meteringMonthlyUsage, request);
    // an ingestion batch in flight holds the timeline's revision lock (shared) until it commits
    const writer = new Client({ connectionString: TEST_DATABASE_URL });
    await writer.connect();
    try {
      await writer.query('begin');
      await writer.query('select pg_advisory_xact_lock_shared($1)', [TIMELINE_REVISION_LOCK]);
      const quick = await rpc.request<MonthlyUsageReply>(PATTERNS.meteringMonthlyUsage, { ...request, withRevision: false }, 3000);
      expect(quick).toEqual({ ...consistent, asOfRevision: null });
      // with a revision the answer waits until the write commits (then answers as before)
      const waiting = rpc.request<MonthlyUsageReply>(PATTERNS.meteringMonthlyUsage, request, 10_000);
      const first = await Promise.race([waiting.then(() => 'answered'), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 1000))]);
      expect(first).toBe('still waiting');
      await writer.query('commit');
      expect((await waiting).asOfRevision).toBe(consistent.asOfRevision);
    } finally {
      await writer.end();
    }
    await expect(rpc.request(PATTERNS.meteringMonthlyUsage, { ...request, withRevision: 'no' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/withRevision/) });
  });

  it('R8.1: malformed requests get an error reply, and the app keeps answering', async () => {
    // the platform's error filter answers request/reply errors with {statusCode, code, message}
    await expect(rpc.request(PATTERNS.meteringMonthlyUsage, { period: '2025-13', accountIds: [] })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/period/) });
    await expect(rpc.request(PATTERNS.meteringMonthlyUsage, { period: '2025-11', accountIds: 'acc-a' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/accountIds/) });
    await expect(rpc.request(PATTERNS.meteringUsageRevisions, { accounts: [{ accountId: ACC_A, afterRevision: '-1' }] })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/afterRevision/) });
    const reply = await rpc.request<MonthlyUsageReply>(PATTERNS.meteringMonthlyUsage, { period: '2025-11', accountIds: [] });
    expect(reply.subscriptions).toEqual([]);
  });
});
