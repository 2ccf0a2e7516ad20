import type { NatsConnection } from 'nats';
import { MonthlyUsageReply, PATTERNS, SUBJECTS, fromUsageRuns, SubscriptionUsageMessage, DailyUsageMessage, UsageCursor } from '@cec/contracts';
import { connectNats, resetSchema, RunningTestApp, sql, startTestApp, TestRpcClient, useTestEnvironment } from '@cec/testing';
import { GetMonthlyUsageUseCase } from '@cec/metering-application';
import { MeteringAppModule } from '../app.module';
import { METERING_ORM } from '../metering.module-def';
import { eventually, ids, resetMeteringStreams, subscriptionChanged } from './metering-test-support';

useTestEnvironment();

const ACCOUNTS = 1000;
const account = (i: number): string => ids(`vol-acc-${i}`);
const subscription = (i: number, j: number): string => ids(`vol-sub-${i}-${j}`);

const daysOf = (usage: SubscriptionUsageMessage | undefined): DailyUsageMessage[] => fromUsageRuns(usage?.runs ?? []);

describe('monthly usage for a billing batch of 1000 accounts x 2 subscriptions (R4.1)', () => {
  let running: RunningTestApp;
  let nc: NatsConnection;
  let rpc: TestRpcClient;

  beforeAll(async () => {
    await resetSchema(METERING_ORM);
    nc = await connectNats();
    await resetMeteringStreams(nc);
    running = await startTestApp(MeteringAppModule.register(), { app: 'metering', title: 'metering', description: 'test' });
    rpc = new TestRpcClient();
    // each subscription: enabled 2025-10-15 with 2 (so its state before November comes from October),
    // 3 usage events in November; half of them cancelled on Nov 28
    const js = nc.jetstream();
    const publishes: Array<Promise<unknown>> = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      for (let j = 0; j < 2; j++) {
        const base = { subscriptionId: subscription(i, j), accountId: account(i), quantity: 2 };
        const enable = subscriptionChanged({ ...base, sequence: 1, effectiveAt: '2025-10-15T09:00:00+08:00' });
        publishes.push(js.publish(SUBJECTS.subscriptionChanged, new TextEncoder().encode(JSON.stringify(enable)), { msgID: enable.id }));
        if (j === 1) {
          const cancel = subscriptionChanged({ ...base, sequence: 2, effectiveAt: '2025-11-28T00:00:00+08:00', status: 'cancelled' });
          publishes.push(js.publish(SUBJECTS.subscriptionChanged, new TextEncoder().encode(JSON.stringify(cancel)), { msgID: cancel.id }));
        }
      }
    }
    await Promise.all(publishes);
    await eventually(async () => {
      const [row] = await sql<{ n: string }>('select count(*)::text as n from metering.subscription_state_point');
      return row.n === String(ACCOUNTS * 3);
    }, 'all state points', 30_000);
    const events = [];
    for (let i = 0; i < ACCOUNTS; i++) {
      for (let j = 0; j < 2; j++) {
        events.push({ id: ids(`vol-e-${i}-${j}-1`), subscriptionId: subscription(i, j), quantity: 7, timestamp: '2025-10-31T23:00:00+08:00' });
        events.push({ id: ids(`vol-e-${i}-${j}-2`), subscriptionId: subscription(i, j), quantity: 9, timestamp: '2025-11-10T10:00:00+08:00' });
        events.push({ id: ids(`vol-e-${i}-${j}-3`), subscriptionId: subscription(i, j), quantity: 4, timestamp: '2025-11-10T11:00:00+08:00' });
      }
    }
    for (let k = 0; k < events.length; k += 1000) {
      const response = await running.api.post<{ accepted: number }>('/v1/usage-events', { events: events.slice(k, k + 1000) });
      expect(response.body.accepted).toBe(1000);
    }
  }, 120_000);

  afterAll(async () => {
    await rpc?.close();
    await running?.close();
    await nc?.close();
  });

  it('R4.1: computes the whole batch of 1000 accounts from two set queries, in well under a second or two', async () => {
    const monthlyUsage = running.app.get(GetMonthlyUsageUseCase);
    const started = Date.now();
    const reply = await monthlyUsage.execute({ period: '2025-11', accountIds: Array.from({ length: ACCOUNTS }, (_, i) => account(i)) });
    const elapsed = Date.now() - started;
    expect(reply.subscriptions).toHaveLength(ACCOUNTS * 2);
    const kept = reply.subscriptions.find((s) => s.subscriptionId === subscription(17, 0));
    const cancelled = reply.subscriptions.find((s) => s.subscriptionId === subscription(17, 1));
    // 7 from Oct 31 23:00 (the last event before November), 9 at Nov 10 10:00, 4 from 11:00 on
    expect(daysOf(kept)).toHaveLength(30);
    expect(daysOf(kept)[0]).toEqual({ date: '2025-11-01', quantity: 7, productCodes: ['basic-cec'] });
    expect(daysOf(kept).find((day) => day.date === '2025-11-10')?.quantity).toBe(9);
    expect(daysOf(kept).reduce((sum, day) => sum + day.quantity, 0)).toBe(7 * 9 + 9 + 4 * 20);
    expect(daysOf(cancelled)).toHaveLength(27);
    expect(elapsed).toBeLessThan(3000);
  });

  it('answers a batch in one request/reply round trip when the reply fits one NATS message (250 accounts, full month)', async () => {
    const reply = await rpc.request<MonthlyUsageReply>(PATTERNS.meteringMonthlyUsage, { period: '2025-11', accountIds: Array.from({ length: 250 }, (_, i) => account(i)) }, 20_000);
    expect(reply.subscriptions).toHaveLength(500);
    expect(reply.asOfRevision).toMatch(/^\d+$/);
  });

  it('the whole 1000-account batch fits in one NATS reply: days travel as runs of equal days', async () => {
    const all = Array.from({ length: ACCOUNTS }, (_, i) => account(i));
    const reply = await rpc.request<MonthlyUsageReply>(PATTERNS.meteringMonthlyUsage, { period: '2025-11', accountIds: all }, 20_000);
    expect(reply.subscriptions).toHaveLength(2 * ACCOUNTS);
    // the server's default max_payload is 1 MiB; 31 day objects per subscription would be ~3.8 MB here
    expect(Buffer.byteLength(JSON.stringify(reply))).toBeLessThan(1024 * 1024);
    const after = await rpc.request<MonthlyUsageReply>(PATTERNS.meteringMonthlyUsage, { period: '2025-11', accountIds: all.slice(0, 10) });
    expect(after.subscriptions).toHaveLength(20);
  });

  it('#9.1 answers in pages bounded by bytes when asked (maxBytes): every subscription once, each reply within its budget', async () => {
    const all = Array.from({ length: ACCOUNTS }, (_, i) => account(i));
    const whole = await rpc.request<MonthlyUsageReply>(PATTERNS.meteringMonthlyUsage, { period: '2025-11', accountIds: all }, 20_000);
    const maxBytes = 64 * 1024;
    const seen: SubscriptionUsageMessage[] = [];
    let after: UsageCursor | undefined;
    let pages = 0;
    do {
      const page: MonthlyUsageReply = await rpc.request<MonthlyUsageReply>(PATTERNS.meteringMonthlyUsage, { period: '2025-11', accountIds: all, maxBytes, ...(after ? { after } : {}) }, 20_000);
      pages += 1;
      expect(Buffer.byteLength(JSON.stringify(page))).toBeLessThanOrEqual(maxBytes);
      expect(BigInt(String(page.asOfRevision))).toBeGreaterThanOrEqual(BigInt(String(whole.asOfRevision)));
      seen.push(...page.subscriptions);
      after = page.next ?? undefined;
    } while (after);
    expect(pages).toBeGreaterThan(5);
    const key = (entry: SubscriptionUsageMessage): string => `${entry.accountId}/${entry.subscriptionId}`;
    expect(seen.map(key)).toEqual(whole.subscriptions.map(key).sort());
    const byKey = new Map(whole.subscriptions.map((entry) => [key(entry), entry]));
    for (const entry of seen) expect(entry).toEqual(byKey.get(key(entry)));
    await expect(rpc.request(PATTERNS.meteringMonthlyUsage, { period: '2025-11', accountIds: all, maxBytes: 10 })).rejects.toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(/maxBytes/) });
    await expect(rpc.request(PATTERNS.meteringMonthlyUsage, { period: '2025-11', accountIds: all, maxBytes, after: 'acc-1' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/after/) });
  });
});
