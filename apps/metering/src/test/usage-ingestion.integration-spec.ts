import type { NatsConnection } from 'nats';
import { SUBJECTS } from '@cec/contracts';
import { connectNats, publishJson, resetSchema, RunningTestApp, sql, startTestApp, useTestEnvironment } from '@cec/testing';
import { MeteringAppModule } from '../app.module';
import { METERING_ORM } from '../metering.module-def';
import { deadLetterCount, eventually, ids, publishChanges, resetMeteringStreams, statePointCount, subscriptionChanged, usageEventCount } from './metering-test-support';

useTestEnvironment();

const description = { app: 'metering' as const, title: 'metering', description: 'test' };
/** Parked usage is swept here by hand, never by the timer (see usage-parking.integration-spec.ts). */
const consumers = { parkedUsageSweepIntervalMs: 0 };

interface ReportResult {
  accepted: number;
  parked: number;
  duplicates: number;
  rejected: Array<{ id: string | null; code: string; message: string }>;
}

interface DeadLetter {
  id: string;
  source: 'rest' | 'nats';
  code: string;
  message: string;
  payload: unknown;
  receivedAt: string;
}

interface DailyUsage {
  subscriptionId: string;
  period: string;
  days: Array<{ date: string; quantity: number }>;
  quantityDays: number;
}

const ACCOUNT = ids('acc-ingest');
const SUB = ids('sub-ingest');
const SUB_NATS = ids('sub-nats');

describe('metering ingestion against PostgreSQL and NATS (R6)', () => {
  let running: RunningTestApp;
  let nc: NatsConnection;

  beforeAll(async () => {
    await resetSchema(METERING_ORM);
    nc = await connectNats();
    await resetMeteringStreams(nc);
    running = await startTestApp(MeteringAppModule.register({ consumers }), description);
    await publishChanges(nc, [
      { subscriptionId: SUB, accountId: ACCOUNT, sequence: 1, effectiveAt: '2025-11-01T00:00:00+08:00', quantity: 3, productCode: 'voice-chatbot' },
      { subscriptionId: SUB_NATS, accountId: ACCOUNT, sequence: 1, effectiveAt: '2025-11-01T00:00:00+08:00', quantity: 1 },
    ]);
  });

  afterAll(async () => {
    await running?.close();
    await nc?.close();
  });

  async function rejected(limit?: number): Promise<DeadLetter[]> {
    const response = await running.api.get<DeadLetter[]>(`/v1/usage-events/rejected${limit ? `?limit=${limit}` : ''}`);
    expect(response.status).toBe(200);
    return response.body;
  }

  async function usage(subscriptionId: string, period: string): Promise<DailyUsage> {
    const response = await running.api.get<DailyUsage>(`/v1/usage?subscriptionId=${subscriptionId}&period=${period}`);
    expect(response.status).toBe(200);
    return response.body;
  }

  it('R6.1 / R6.3 REST: a batch lands its good events, refuses the bad ones with reasons and dead-letters them', async () => {
    const good = [
      { id: ids('r-1'), subscriptionId: SUB, quantity: 9, timestamp: '2025-11-05T10:00:00+08:00' },
      { id: ids('r-2'), subscriptionId: SUB, quantity: 3, timestamp: '2025-11-05T02:05:00Z' },
    ];
    const bad = [
      { id: ids('r-neg'), subscriptionId: SUB, quantity: -1, timestamp: '2025-11-06T10:00:00+08:00' },
      { id: ids('r-frac'), subscriptionId: SUB, quantity: 2.5, timestamp: '2025-11-06T10:00:00+08:00' },
      { id: ids('r-instant'), subscriptionId: SUB, quantity: 2, timestamp: '2025-11-06 10:00' },
      { subscriptionId: SUB, quantity: 2, timestamp: '2025-11-06T10:00:00+08:00' },
      { id: ids('r-ghost'), subscriptionId: ids('sub-ghost'), quantity: 2, timestamp: '2025-11-06T10:00:00+08:00' },
    ];
    const before = await deadLetterCount();
    const response = await running.api.post<ReportResult>('/v1/usage-events', { events: [good[0], ...bad, good[1]] });
    expect(response.status).toBe(202);
    // #9.3: the event for a subscription metering does not know yet is accepted and parked, not refused
    expect(response.body).toEqual({
      accepted: 3,
      parked: 1,
      duplicates: 0,
      rejected: [
        { id: ids('r-neg'), code: 'VALIDATION_FAILED', message: expect.stringMatching(/quantity/) },
        { id: ids('r-frac'), code: 'VALIDATION_FAILED', message: expect.stringMatching(/quantity/) },
        { id: ids('r-instant'), code: 'VALIDATION_FAILED', message: expect.stringMatching(/timestamp/) },
        { id: null, code: 'VALIDATION_FAILED', message: expect.stringMatching(/id is required/) },
      ],
    });
    expect(await usageEventCount(SUB)).toBe(2);
    expect(await deadLetterCount()).toBe(before + 4);

    const letters = await rejected();
    expect(letters.slice(0, 4).map((letter) => [letter.source, letter.code, (letter.payload as { id?: string }).id ?? null])).toEqual([
      ['rest', 'VALIDATION_FAILED', null],
      ['rest', 'VALIDATION_FAILED', ids('r-instant')],
      ['rest', 'VALIDATION_FAILED', ids('r-frac')],
      ['rest', 'VALIDATION_FAILED', ids('r-neg')],
    ]);
    expect(letters[0]).toEqual({
      id: expect.stringMatching(/^\d+$/),
      source: 'rest',
      code: 'VALIDATION_FAILED',
      message: expect.any(String),
      payload: bad[3],
      receivedAt: expect.any(String),
      replayedAt: null,
      replayOutcome: null,
    });
    expect(Number(letters[0].id)).toBeGreaterThan(Number(letters[1].id));
    expect((await usage(SUB, '2025-11')).days.find((day) => day.date === '2025-11-05')?.quantity).toBe(9);
  });

  it('R6.1 REST: the same batch again, and an id repeated inside one batch, have no effect', async () => {
    const event = { id: ids('r-dup'), subscriptionId: SUB, quantity: 4, timestamp: '2025-11-20T12:00:00+08:00' };
    const first = await running.api.post<ReportResult>('/v1/usage-events', { events: [event, { ...event, timestamp: '2025-11-20T04:00:00.250Z' }] });
    expect(first.body).toEqual({ accepted: 1, parked: 0, duplicates: 1, rejected: [] });
    const before = await usage(SUB, '2025-11');
    const again = await running.api.post<ReportResult>('/v1/usage-events', { events: [event, { id: ids('r-1'), subscriptionId: SUB, quantity: 9, timestamp: '2025-11-05T10:00:00+08:00' }] });
    expect(again.status).toBe(202);
    expect(again.body).toEqual({ accepted: 0, parked: 0, duplicates: 2, rejected: [] });
    const [row] = await sql<{ quantity: number }>('select quantity from metering.usage_event where id = $1', [event.id]);
    expect(row.quantity).toBe(4);
    expect(await usage(SUB, '2025-11')).toEqual(before);
  });

  describe('R8.1 a body that is not 1 to 1000 events is a 400 and stores nothing', () => {
    const event = { id: ids('r-never'), subscriptionId: SUB, quantity: 1, timestamp: '2025-11-06T10:00:00+08:00' };
    it.each<[string, unknown]>([
      ['no events', {}],
      ['empty events', { events: [] }],
      ['events not an array', { events: event }],
      ['1001 events', { events: Array.from({ length: 1001 }, (_, i) => ({ ...event, id: `${event.id}-${i}` })) }],
      ['an unknown field', { events: [event], extra: true }],
    ])('%s', async (_name, body) => {
      const events = await usageEventCount();
      const letters = await deadLetterCount();
      const response = await running.api.post('/v1/usage-events', body);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.any(String) });
      expect(await usageEventCount()).toBe(events);
      expect(await deadLetterCount()).toBe(letters);
    });

    it('malformed JSON', async () => {
      const events = await usageEventCount();
      const response = await running.api.raw('POST', '/v1/usage-events', '{"events": [');
      expect(response.status).toBe(400);
      expect(await usageEventCount()).toBe(events);
    });
  });

  it('R6.1 / R6.3 NATS: good events land, malformed ones (bad JSON, negative quantity, no id) are dead-lettered with source nats', async () => {
    const before = await deadLetterCount();
    await publishJson(nc, SUBJECTS.usageReported, { id: ids('n-1'), subscriptionId: SUB_NATS, quantity: 5, timestamp: '2025-11-10T08:00:00+08:00' }, ids('n-1'));
    await publishJson(nc, SUBJECTS.usageReported, '{"id": "broken', ids('n-broken'));
    await publishJson(nc, SUBJECTS.usageReported, { id: ids('n-neg'), subscriptionId: SUB_NATS, quantity: -3, timestamp: '2025-11-10T09:00:00+08:00' }, ids('n-neg'));
    await publishJson(nc, SUBJECTS.usageReported, { subscriptionId: SUB_NATS, quantity: 3, timestamp: '2025-11-10T09:00:00+08:00' });
    await publishJson(nc, SUBJECTS.usageReported, { id: ids('n-2'), subscriptionId: SUB_NATS, quantity: 2, timestamp: '2025-11-12T00:00:00+08:00' }, ids('n-2'));
    await eventually(async () => (await usageEventCount(SUB_NATS)) === 2 && (await deadLetterCount()) === before + 3, 'NATS batch to be stored');
    const letters = (await rejected()).slice(0, 3);
    expect(letters.every((letter) => letter.source === 'nats' && letter.code === 'VALIDATION_FAILED')).toBe(true);
    expect(letters.map((letter) => letter.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/not valid JSON/), expect.stringMatching(/quantity/), expect.stringMatching(/id is required/)]),
    );
    expect(letters.find((letter) => /JSON/.test(letter.message))?.payload).toBe('{"id": "broken');
    const november = await usage(SUB_NATS, '2025-11');
    expect(november.days.find((day) => day.date === '2025-11-10')?.quantity).toBe(5);
    expect(november.days.find((day) => day.date === '2025-11-12')?.quantity).toBe(2);
  });

  it('R6.1 NATS: the same event delivered again (past the server-side duplicate window, i.e. another message id) has no effect', async () => {
    const event = { id: ids('n-dup'), subscriptionId: SUB_NATS, quantity: 7, timestamp: '2025-11-15T08:00:00+08:00' };
    await publishJson(nc, SUBJECTS.usageReported, event, ids('n-dup'));
    await eventually(async () => (await usageEventCount(SUB_NATS)) === 3, 'first delivery');
    await publishJson(nc, SUBJECTS.usageReported, event);
    await publishJson(nc, SUBJECTS.usageReported, event, `${ids('n-dup')}-again`);
    // a marker published after the duplicates: once it is stored, the duplicates have been handled
    await publishJson(nc, SUBJECTS.usageReported, { id: ids('n-marker'), subscriptionId: SUB_NATS, quantity: 7, timestamp: '2025-11-15T09:00:00+08:00' });
    await eventually(async () => (await usageEventCount(SUB_NATS)) === 4, 'marker');
    const [row] = await sql<{ quantity: number }>('select quantity from metering.usage_event where id = $1', [event.id]);
    expect(row.quantity).toBe(7);
    expect((await usage(SUB_NATS, '2025-11')).days.find((day) => day.date === '2025-11-15')?.quantity).toBe(7);
  });

  it('R6.3 NATS: usage that arrives before its subscription.changed is kept once the subscription is learned (not dead-lettered)', async () => {
    const late = ids('sub-late');
    const event = { id: ids('n-early'), subscriptionId: late, quantity: 6, timestamp: '2025-11-20T08:00:00+08:00' };
    await publishJson(nc, SUBJECTS.usageReported, event, event.id);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await publishChanges(nc, [{ subscriptionId: late, accountId: ACCOUNT, sequence: 1, effectiveAt: '2025-11-01T00:00:00+08:00', quantity: 2 }]);
    await eventually(async () => (await usageEventCount(late)) === 1, 'the early event to be stored');
    const days = (await usage(late, '2025-11')).days;
    expect(days.find((day) => day.date === '2025-11-19')?.quantity).toBe(2);
    expect(days.find((day) => day.date === '2025-11-20')?.quantity).toBe(6);
    const [count] = await sql<{ n: string }>('select count(*)::text as n from metering.dead_letter where event_id = $1', [event.id]);
    expect(count.n).toBe('0');
  });

  it('R3.4: out-of-order events are placed by their time, whatever the order they arrive in', async () => {
    const sub = ids('sub-order');
    await publishChanges(nc, [{ subscriptionId: sub, accountId: ACCOUNT, sequence: 1, effectiveAt: '2025-11-01T00:00:00+08:00', quantity: 3 }]);
    // the newest report (by event time) arrives first, the older ones after it
    const events = [
      { id: ids('o-3'), subscriptionId: sub, quantity: 4, timestamp: '2025-11-10T12:00:00+08:00' },
      { id: ids('o-2'), subscriptionId: sub, quantity: 8, timestamp: '2025-11-10T08:00:00+08:00' },
      { id: ids('o-1'), subscriptionId: sub, quantity: 5, timestamp: '2025-11-08T08:00:00+08:00' },
    ];
    await running.api.post('/v1/usage-events', { events: [events[0]] });
    await publishJson(nc, SUBJECTS.usageReported, events[1], events[1].id);
    await eventually(async () => (await usageEventCount(sub)) === 2, 'the NATS event');
    await running.api.post('/v1/usage-events', { events: [events[2]] });
    const days = Object.fromEntries((await usage(sub, '2025-11')).days.map((day) => [day.date, day.quantity]));
    expect([days['2025-11-07'], days['2025-11-08'], days['2025-11-09'], days['2025-11-10'], days['2025-11-11']]).toEqual([3, 5, 5, 8, 4]);
    expect(days['2025-11-30']).toBe(4);
  });

  it('subscription.changed delivered again is recorded once (unique subscription + sequence)', async () => {
    const sub = ids('sub-redeliver');
    const change = subscriptionChanged({ subscriptionId: sub, accountId: ACCOUNT, sequence: 1, effectiveAt: '2025-11-03T09:00:00+08:00', quantity: 2 });
    await publishJson(nc, SUBJECTS.subscriptionChanged, change, change.id);
    await publishJson(nc, SUBJECTS.subscriptionChanged, change, `${change.id}-again`);
    await publishChanges(nc, [{ subscriptionId: sub, accountId: ACCOUNT, sequence: 2, effectiveAt: '2025-11-04T09:00:00+08:00', quantity: 5 }]);
    // an older change redelivered after a newer one does not roll the subscription back
    await publishJson(nc, SUBJECTS.subscriptionChanged, change, `${change.id}-late`);
    await publishChanges(nc, [{ subscriptionId: ids('sub-marker'), accountId: ACCOUNT, sequence: 1, effectiveAt: '2025-11-04T09:00:00+08:00', quantity: 1 }]);
    expect(await statePointCount(sub)).toBe(2);
    const [row] = await sql<{ quantity: number; last_sequence: number }>('select quantity, last_sequence from metering.subscription where id = $1', [sub]);
    expect(row).toEqual({ quantity: 5, last_sequence: 2 });
  });

  it('R6.2: an event published while metering is stopped is stored after it restarts (durable consumer)', async () => {
    await running.close();
    const event = { id: ids('n-offline'), subscriptionId: SUB_NATS, quantity: 11, timestamp: '2025-11-25T08:00:00+08:00' };
    await publishJson(nc, SUBJECTS.usageReported, event, event.id);
    running = await startTestApp(MeteringAppModule.register({ consumers }), description);
    await eventually(async () => (await sql('select 1 from metering.usage_event where id = $1', [event.id])).length === 1, 'the offline event');
    expect((await usage(SUB_NATS, '2025-11')).days.find((day) => day.date === '2025-11-25')?.quantity).toBe(11);
  });

  it('R6.3: a refused payload PostgreSQL cannot hold verbatim (a NUL character) is still dead-lettered, and the good events land', async () => {
    const good = { id: ids('nul-good'), subscriptionId: SUB_NATS, quantity: 3, timestamp: '2025-11-26T08:00:00+08:00' };
    const response = await running.api.post<ReportResult>('/v1/usage-events', { events: [{ id: 'a\u0000b', subscriptionId: SUB, quantity: 1, timestamp: '2025-11-06T10:00:00+08:00' }, good] });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ accepted: 1, rejected: [{ id: null, code: 'VALIDATION_FAILED' }] });
    expect((await rejected(1))[0].payload).toMatchObject({ id: 'a\ufffdb' });
    await publishJson(nc, SUBJECTS.usageReported, '{"id": "x\\u0000y", "quantity": \u0000');
    await eventually(async () => (await rejected(1))[0].source === 'nats', 'the NATS dead letter with a NUL');
  });

  it('R6.3 NATS: a message nested too deep for jsonb is dead-lettered as text and does not block the events after it', async () => {
    const before = await deadLetterCount();
    await publishJson(nc, SUBJECTS.usageReported, `${'['.repeat(20_000)}${']'.repeat(20_000)}`);
    const after = { id: ids('after-deep'), subscriptionId: SUB_NATS, quantity: 2, timestamp: '2025-11-27T08:00:00+08:00' };
    await publishJson(nc, SUBJECTS.usageReported, after, after.id);
    await eventually(async () => (await sql('select 1 from metering.usage_event where id = $1', [after.id])).length === 1, 'the event after the deep one');
    expect(await deadLetterCount()).toBe(before + 1);
    const [letter] = await rejected(1);
    expect(letter).toMatchObject({ source: 'nats', code: 'VALIDATION_FAILED', message: expect.stringMatching(/usage event must be an object/) });
    expect(typeof letter.payload).toBe('string');
  });

  it('R6.3: dead letters are listed newest first, with a bounded limit', async () => {
    const all = await rejected(1000);
    expect(all.length).toBeGreaterThanOrEqual(9);
    const numbers = all.map((letter) => Number(letter.id));
    expect([...numbers].sort((a, b) => b - a)).toEqual(numbers);
    expect(await rejected(2)).toEqual(all.slice(0, 2));
    for (const limit of ['0', '1001', 'abc', '-1']) {
      const response = await running.api.get(`/v1/usage-events/rejected?limit=${limit}`);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/limit/) });
    }
  });

  it('R8.1: every /v1 route needs the operator token; /health and /docs-json do not', async () => {
    expect((await running.api.withToken(null).get('/v1/usage-events/rejected')).status).toBe(401);
    expect((await running.api.withToken(null).post('/v1/usage-events', { events: [] })).status).toBe(401);
    expect((await running.api.withToken(null).get('/health')).status).toBe(200);
    const docs = await running.api.withToken(null).get<{ paths: Record<string, unknown> }>('/docs-json');
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/v1/usage-events', '/v1/usage-events/rejected', '/v1/usage']));
  });
});
