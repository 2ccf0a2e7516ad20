import type { NatsConnection } from 'nats';
import { SUBJECTS } from '@cec/contracts';
import { MAX_QUANTITY } from '@cec/kernel';
import { connectNats, fuzzRoutes, publishJson, resetSchema, RunningTestApp, sql, startTestApp, useTestEnvironment } from '@cec/testing';
import { MeteringAppModule } from '../app.module';
import { METERING_ORM } from '../metering.module-def';
import { deadLetterCount, eventually, ids, publishChanges, resetMeteringStreams, usageEventCount } from './metering-test-support';

useTestEnvironment();

interface ReportResult {
  accepted: number;
  duplicates: number;
  rejected: Array<{ id: string | null; code: string; message: string }>;
}

const ACCOUNT = ids('acc-fuzz');
const SUB = ids('sub-fuzz');

describe('metering under hostile input (issue #8)', () => {
  let running: RunningTestApp;
  let nc: NatsConnection;

  beforeAll(async () => {
    await resetSchema(METERING_ORM);
    nc = await connectNats();
    await resetMeteringStreams(nc);
    running = await startTestApp(MeteringAppModule.register(), { app: 'metering', title: 'metering', description: 'test' });
    await publishChanges(nc, [{ subscriptionId: SUB, accountId: ACCOUNT, sequence: 1, effectiveAt: '2025-11-01T00:00:00+08:00', quantity: 3 }]);
  });

  afterAll(async () => {
    await running?.close();
    await nc?.close();
  });

  it('#8.5 REST: one quantity limit: MAX_QUANTITY is accepted, one more is refused and dead-lettered', async () => {
    expect(MAX_QUANTITY).toBe(1_000_000);
    const events = [
      { id: ids('max'), subscriptionId: SUB, quantity: MAX_QUANTITY, timestamp: '2025-11-05T10:00:00+08:00' },
      { id: ids('over'), subscriptionId: SUB, quantity: MAX_QUANTITY + 1, timestamp: '2025-11-05T11:00:00+08:00' },
      { id: ids('billion'), subscriptionId: SUB, quantity: 1_000_000_000, timestamp: '2025-11-05T12:00:00+08:00' },
    ];
    const letters = await deadLetterCount();
    const response = await running.api.post<ReportResult>('/v1/usage-events', { events });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({
      accepted: 1,
      parked: 0,
      duplicates: 0,
      rejected: [
        { id: ids('over'), code: 'VALIDATION_FAILED', message: 'quantity must be a whole number >= 0 and at most 1000000' },
        { id: ids('billion'), code: 'VALIDATION_FAILED', message: 'quantity must be a whole number >= 0 and at most 1000000' },
      ],
    });
    expect(await deadLetterCount()).toBe(letters + 2);
  });

  it('#8.5 #8.3 NATS: an over-limit quantity and a +25:00 offset are dead-lettered with their code, never stored', async () => {
    const stored = await usageEventCount(SUB);
    const letters = await deadLetterCount();
    await publishJson(nc, SUBJECTS.usageReported, { id: ids('n-over'), subscriptionId: SUB, quantity: MAX_QUANTITY + 1, timestamp: '2025-11-06T10:00:00+08:00' }, ids('n-over'));
    await publishJson(nc, SUBJECTS.usageReported, { id: ids('n-offset'), subscriptionId: SUB, quantity: 2, timestamp: '2025-11-06T10:00:00+25:00' }, ids('n-offset'));
    await publishJson(nc, SUBJECTS.usageReported, { id: ids('n-year1'), subscriptionId: SUB, quantity: 2, timestamp: '0001-01-01T00:00:00+08:00' }, ids('n-year1'));
    await eventually(async () => (await deadLetterCount()) === letters + 3, 'three dead letters');
    const rows = await sql<{ code: string; message: string }>(`select code, message from metering.dead_letter order by id desc limit 3`);
    expect(rows.map((row) => row.code)).toEqual(['VALIDATION_FAILED', 'VALIDATION_FAILED', 'VALIDATION_FAILED']);
    expect(rows.map((row) => row.message).sort()).toEqual([
      expect.stringMatching(/^quantity must be a whole number >= 0 and at most 1000000$/),
      expect.stringMatching(/^timestamp must be an instant from 1970-01-01/),
      expect.stringMatching(/^timestamp must have an offset from -14:00 to \+14:00$/),
    ]);
    expect(await usageEventCount(SUB)).toBe(stored);
  });

  it('#8.4 a query value given as an object or as a list is a 400 naming the parameter', async () => {
    for (const query of [`subscriptionId=${SUB}&period[a]=1`, `subscriptionId=${SUB}&period=2025-11&period=2025-12`]) {
      const response = await running.api.get(`/v1/usage?${query}`);
      expect(response.body).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(/\bperiod\b/) });
    }
  });

  it('#8.2 a body nested 5000 deep is a 400 (also inside an event), and a nested event within the depth limit is refused by itself (dead letter), not a 500', async () => {
    const nested = await running.api.raw('POST', '/v1/usage-events', `${'['.repeat(5000)}${']'.repeat(5000)}`);
    expect(nested.body).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.any(String) });
    const deepInside = await running.api.raw('POST', '/v1/usage-events', `{"events":[${'['.repeat(5000)}${']'.repeat(5000)}]}`);
    expect(deepInside.body).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(/nested too deeply/) });
    const inside = await running.api.raw<ReportResult>('POST', '/v1/usage-events', `{"events":[${'['.repeat(20)}${']'.repeat(20)}]}`);
    expect(inside.status).toBe(202);
    expect(inside.body.rejected).toEqual([{ id: null, code: 'VALIDATION_FAILED', message: expect.stringMatching(/usage event must be an object/) }]);
  });

  it('#8.2 #8.3 #8.4 #8.5 fuzz: hostile bodies, queries and path ids on every route: never a 5xx, always a JSON error, no 4xx changes anything', async () => {
    const report = await fuzzRoutes({ baseUrl: running.api.baseUrl, app: running.app, schema: 'metering', numRuns: 250, seed: 8_003 });
    console.log(`metering fuzz: ${report.requests} requests over ${report.routes.length} routes (${report.routes.join(', ')}); statuses ${JSON.stringify(report.statuses)}`);
    expect(report.routes.length).toBeGreaterThanOrEqual(3);
    expect(report.failures).toEqual([]);
  });
});
