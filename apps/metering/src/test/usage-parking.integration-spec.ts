import type { NatsConnection } from 'nats';
import { CONSUMERS, STREAMS, SUBJECTS } from '@cec/contracts';
import { connectNats, publishJson, resetSchema, RunningTestApp, sql, startTestApp, useTestEnvironment } from '@cec/testing';
import { MeteringAppModule } from '../app.module';
import { METERING_ORM } from '../metering.module-def';
import { ParkedUsageSweeper } from '../messaging/parked-usage.sweeper';
import { deadLetterCount, eventually, ids, publishChanges, resetMeteringStreams, usageEventCount } from './metering-test-support';

useTestEnvironment();

const description = { app: 'metering' as const, title: 'metering', description: 'test' };
/**
 * A parked event expires 1 s after it was received. The sweep timer is off: the test that proves
 * the bound sweeps by hand (the same code the timer calls), so no other test races a sweep.
 */
const consumers = { parkedUsageTtlMs: 1000, parkedUsageSweepIntervalMs: 0 };

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
  replayedAt: string | null;
  replayOutcome: string | null;
}

interface ReplayResult {
  outcome: 'accepted' | 'duplicate' | 'parked' | 'rejected';
  code: string | null;
  message: string | null;
  deadLetter: DeadLetter;
}

interface DailyUsage {
  days: Array<{ date: string; quantity: number }>;
  quantityDays: number;
}

const ACCOUNT = ids('acc-park');
const KNOWN = ids('sub-park-known');

async function parkedSource(eventId: string): Promise<string | null | undefined> {
  const [row] = await sql<{ parked_source: string | null }>('select parked_source from metering.usage_event where id = $1', [eventId]);
  return row ? row.parked_source : undefined;
}

async function deadLettersOf(eventId: string): Promise<Array<{ id: string; code: string }>> {
  return sql<{ id: string; code: string }>('select id::text as id, code from metering.dead_letter where event_id = $1 order by id', [eventId]);
}

describe('#9.3 usage for a subscription not known yet is parked, counted once known, dead-lettered after the bound, replayable', () => {
  let running: RunningTestApp;
  let nc: NatsConnection;

  beforeAll(async () => {
    await resetSchema(METERING_ORM);
    nc = await connectNats();
    await resetMeteringStreams(nc);
    running = await startTestApp(MeteringAppModule.register({ consumers }), description);
    await publishChanges(nc, [{ subscriptionId: KNOWN, accountId: ACCOUNT, sequence: 1, effectiveAt: '2025-11-01T00:00:00+08:00', quantity: 1 }]);
  });

  afterAll(async () => {
    await running?.close();
    await nc?.close();
  });

  async function usage(subscriptionId: string, period: string): Promise<DailyUsage> {
    const response = await running.api.get<DailyUsage>(`/v1/usage?subscriptionId=${subscriptionId}&period=${period}`);
    expect(response.status).toBe(200);
    return response.body;
  }

  const quantityOn = async (subscriptionId: string, date: string): Promise<number | undefined> =>
    (await usage(subscriptionId, date.slice(0, 7))).days.find((day) => day.date === date)?.quantity;

  it('#9.3 REST: usage reported in the same millisecond as the subscription is created is accepted (parked) and counted once subscription.changed arrives', async () => {
    const sub = ids('sub-rest-early');
    const event = { id: ids('early-rest'), subscriptionId: sub, quantity: 7, timestamp: '2025-11-10T09:00:00+08:00' };
    const response = await running.api.post<ReportResult>('/v1/usage-events', { events: [event] });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ accepted: 1, parked: 1, duplicates: 0, rejected: [] });
    expect(await parkedSource(event.id)).toBe('rest');
    // reported again while parked: a duplicate, as for any stored event (R6.1)
    expect((await running.api.post<ReportResult>('/v1/usage-events', { events: [event] })).body).toEqual({ accepted: 0, parked: 0, duplicates: 1, rejected: [] });

    await publishChanges(nc, [{ subscriptionId: sub, accountId: ACCOUNT, sequence: 1, effectiveAt: '2025-11-01T00:00:00+08:00', quantity: 2 }]);
    // counted in the transaction that recorded the subscription: no wait beyond publishChanges
    expect(await parkedSource(event.id)).toBeNull();
    expect(await quantityOn(sub, '2025-11-09')).toBe(2);
    expect(await quantityOn(sub, '2025-11-10')).toBe(7);
    expect(await deadLettersOf(event.id)).toEqual([]);
  });

  it('#9.3 NATS: usage before its subscription is parked and acked at once (no nak, no redelivery), then counted once the subscription is known', async () => {
    const sub = ids('sub-nats-early');
    const event = { id: ids('early-nats'), subscriptionId: sub, quantity: 4, timestamp: '2025-11-12T09:00:00+08:00' };
    const jsm = await nc.jetstreamManager();
    await publishJson(nc, SUBJECTS.usageReported, event, event.id);
    await eventually(async () => (await parkedSource(event.id)) === 'nats', 'the NATS event to be parked');
    const info = await eventually(async () => {
      const consumer = await jsm.consumers.info(STREAMS.usage.name, CONSUMERS.meteringUsage);
      return consumer.num_ack_pending === 0 && consumer;
    }, 'the parked event to be acked');
    expect(info.num_redelivered).toBe(0);

    await publishChanges(nc, [{ subscriptionId: sub, accountId: ACCOUNT, sequence: 1, effectiveAt: '2025-11-01T00:00:00+08:00', quantity: 1 }]);
    expect(await parkedSource(event.id)).toBeNull();
    expect(await quantityOn(sub, '2025-11-12')).toBe(4);
    expect(await deadLettersOf(event.id)).toEqual([]);
  });

  it('#9.3 / R6.2: the transaction that records the subscription un-parks its usage with a new revision, so a run that read the account before sees the change', async () => {
    const sub = ids('sub-revision');
    const events = [
      { id: ids('rev-1'), subscriptionId: sub, quantity: 3, timestamp: '2025-10-20T09:00:00+08:00' },
      { id: ids('rev-2'), subscriptionId: sub, quantity: 5, timestamp: '2025-11-03T09:00:00+08:00' },
    ];
    expect((await running.api.post<ReportResult>('/v1/usage-events', { events })).body).toMatchObject({ accepted: 2, parked: 2 });
    await publishChanges(nc, [{ subscriptionId: sub, accountId: ACCOUNT, sequence: 1, effectiveAt: '2025-10-01T00:00:00+08:00', quantity: 1 }]);
    const rows = await sql<{ id: string; revision: string; parked_source: string | null }>(
      'select id, revision::text as revision, parked_source from metering.usage_event where subscription_id = $1 order by id',
      [sub],
    );
    const [point] = await sql<{ revision: string }>('select revision::text as revision from metering.subscription_state_point where subscription_id = $1', [sub]);
    expect(rows.every((row) => row.parked_source === null && BigInt(row.revision) > BigInt(point.revision))).toBe(true);
    const writes = await sql<{ period: string; max_revision: string }>(
      'select period, max_revision::text as max_revision from metering.timeline_write where subscription_id = $1 order by period',
      [sub],
    );
    expect(writes.map((write) => write.period)).toEqual(['2025-10', '2025-11']);
    const revisionOf = new Map(rows.map((row) => [row.id, row.revision]));
    expect(writes[1].max_revision).toBe(revisionOf.get(ids('rev-2')));
    expect(await quantityOn(sub, '2025-11-03')).toBe(5);
  });

  it('#9.3 the sweep un-parks an event parked by a batch that raced the recording of its subscription (it counts; its revision and timeline_write catch up)', async () => {
    const sub = ids('sub-raced');
    await publishChanges(nc, [{ subscriptionId: sub, accountId: ACCOUNT, sequence: 1, effectiveAt: '2025-11-01T00:00:00+08:00', quantity: 1 }]);
    // what a batch leaves when its "subscription unknown" check ran just before the subscription's commit
    const eventId = ids('raced');
    await sql(
      `insert into metering.usage_event (id, subscription_id, quantity, occurred_at, received_at, revision, parked_source)
       values ($1, $2, 9, '2025-12-02T01:00:00Z', now(), nextval('metering.timeline_revision'), 'nats')`,
      [eventId, sub],
    );
    expect(await quantityOn(sub, '2025-12-02')).toBe(9);
    await running.app.get(ParkedUsageSweeper).tick();
    expect(await parkedSource(eventId)).toBeNull();
    const [row] = await sql<{ revision: string }>('select revision::text as revision from metering.usage_event where id = $1', [eventId]);
    const [write] = await sql<{ max_revision: string }>("select max_revision::text as max_revision from metering.timeline_write where subscription_id = $1 and period = '2025-12'", [sub]);
    expect(write.max_revision).toBe(row.revision);
    expect(await deadLettersOf(eventId)).toEqual([]);
  });

  it('#9.3 an event whose subscription never appears is dead-lettered UNKNOWN_SUBSCRIPTION after the bound (here 1 s), and an operator inspects and replays it', async () => {
    const ghostSub = ids('sub-ghost');
    const ghost = { id: ids('ghost'), subscriptionId: ghostSub, quantity: 6, timestamp: '2025-11-15T10:00:00+08:00' };
    expect((await running.api.post<ReportResult>('/v1/usage-events', { events: [ghost] })).body).toMatchObject({ accepted: 1, parked: 1 });
    const sweeper = running.app.get(ParkedUsageSweeper);
    // before the bound a sweep leaves it parked
    await sweeper.tick();
    const letters = await deadLettersOf(ghost.id);
    if (letters.length === 0) expect(await parkedSource(ghost.id)).toBe('rest');
    const [letter] = await eventually(async () => {
      await sweeper.tick();
      const found = await deadLettersOf(ghost.id);
      return found.length > 0 && found;
    }, 'the parked event to expire');
    expect(letter.code).toBe('UNKNOWN_SUBSCRIPTION');
    expect(await parkedSource(ghost.id)).toBeUndefined();
    await sweeper.tick();
    expect(await deadLettersOf(ghost.id)).toHaveLength(1);

    const shown = await running.api.get<DeadLetter>(`/v1/usage-events/rejected/${letter.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toEqual({
      id: letter.id,
      source: 'rest',
      code: 'UNKNOWN_SUBSCRIPTION',
      message: expect.stringMatching(new RegExp(`${ghostSub}.*1 s`)),
      payload: { id: ghost.id, subscriptionId: ghostSub, quantity: 6, timestamp: '2025-11-15T02:00:00Z' },
      receivedAt: expect.any(String),
      replayedAt: null,
      replayOutcome: null,
    });
    const listed = await running.api.get<DeadLetter[]>('/v1/usage-events/rejected?limit=1000');
    expect(listed.body.find((entry) => entry.id === letter.id)).toEqual(shown.body);

    // the subscription shows up late: the operator replays the dead letter and the usage counts
    await publishChanges(nc, [{ subscriptionId: ghostSub, accountId: ACCOUNT, sequence: 1, effectiveAt: '2025-11-01T00:00:00+08:00', quantity: 1 }]);
    const before = await deadLetterCount();
    const replay = await running.api.post<ReplayResult>(`/v1/usage-events/rejected/${letter.id}/replay`, {});
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ outcome: 'accepted', code: null, deadLetter: { id: letter.id, replayOutcome: 'accepted', replayedAt: expect.any(String) } });
    expect(await quantityOn(ghostSub, '2025-11-15')).toBe(6);
    expect(await parkedSource(ghost.id)).toBeNull();

    // replaying twice is idempotent: a duplicate, the dead letter kept as first marked
    const again = await running.api.post<ReplayResult>(`/v1/usage-events/rejected/${letter.id}/replay`, {});
    expect(again.body).toMatchObject({ outcome: 'duplicate', deadLetter: { id: letter.id, replayOutcome: 'accepted', replayedAt: replay.body.deadLetter.replayedAt } });
    expect(await usageEventCount(ghostSub)).toBe(1);
    expect(await deadLetterCount()).toBe(before);
    expect((await running.api.get<DeadLetter>(`/v1/usage-events/rejected/${letter.id}`)).body.replayOutcome).toBe('accepted');
  });

  it('#9.3 replaying a dead letter that is still bad answers its code again, writes nothing and leaves the dead letter unmarked', async () => {
    const bad = { id: ids('bad-qty'), subscriptionId: KNOWN, quantity: -2, timestamp: '2025-11-16T10:00:00+08:00' };
    const reported = await running.api.post<ReportResult>('/v1/usage-events', { events: [bad] });
    expect(reported.body.rejected).toEqual([{ id: bad.id, code: 'VALIDATION_FAILED', message: expect.stringMatching(/quantity/) }]);
    const [letter] = await deadLettersOf(bad.id);
    const before = await deadLetterCount();
    const replay = await running.api.post<ReplayResult>(`/v1/usage-events/rejected/${letter.id}/replay`, {});
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ outcome: 'rejected', code: 'VALIDATION_FAILED', message: expect.stringMatching(/quantity/), deadLetter: { id: letter.id, replayedAt: null } });
    expect(await deadLetterCount()).toBe(before);
    expect(await usageEventCount(KNOWN)).toBe(0);
  });

  it('#9.3 dead letters by id: 400 for an id that is not one, 404 for one that does not exist', async () => {
    for (const path of ['/v1/usage-events/rejected/abc', '/v1/usage-events/rejected/0', '/v1/usage-events/rejected/1.5']) {
      const response = await running.api.get(path);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/id/) });
    }
    expect((await running.api.get('/v1/usage-events/rejected/999999999')).body).toMatchObject({ statusCode: 404, code: 'DEAD_LETTER_NOT_FOUND' });
    expect((await running.api.post('/v1/usage-events/rejected/999999999/replay', {})).status).toBe(404);
    expect((await running.api.withToken(null).post('/v1/usage-events/rejected/1/replay', {})).status).toBe(401);
    const docs = await running.api.withToken(null).get<{ paths: Record<string, unknown>; components: { schemas: Record<string, { properties: Record<string, unknown> }> } }>('/docs-json');
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/v1/usage-events/rejected/{id}', '/v1/usage-events/rejected/{id}/replay']));
    expect(Object.keys(docs.body.components.schemas['ReportUsageEventsResultView'].properties)).toEqual(expect.arrayContaining(['accepted', 'parked', 'duplicates', 'rejected']));
  });

  it('#9.3 NATS: redeliveries caused by a database error consume no budget: after many failed deliveries the event is stored, not dead-lettered', async () => {
    const jsm = await nc.jetstreamManager();
    const event = { id: ids('db-hiccup'), subscriptionId: KNOWN, quantity: 3, timestamp: '2025-11-18T10:00:00+08:00' };
    const deliveredBefore = (await jsm.consumers.info(STREAMS.usage.name, CONSUMERS.meteringUsage)).delivered.consumer_seq;
    await sql('alter table metering.usage_event rename to usage_event_away');
    try {
      await publishJson(nc, SUBJECTS.usageReported, event, event.id);
      // the old budget dead-lettered at the 5th delivery; let it fail more often than that
      await eventually(
        async () => (await jsm.consumers.info(STREAMS.usage.name, CONSUMERS.meteringUsage)).delivered.consumer_seq - deliveredBefore >= 6,
        'six failed deliveries',
        55_000, // redeliveries back off 1, 2, 4, 8, 16 s: the 6th delivery comes about 31 s after the 1st
      );
    } finally {
      await sql('alter table metering.usage_event_away rename to usage_event');
    }
    await eventually(async () => (await usageEventCount(KNOWN)) === 1, 'the event to be stored once the database is back', 45_000); // the next delivery comes after up to 30 s of backoff
    expect(await deadLettersOf(event.id)).toEqual([]);
  }, 120_000);
});

describe('#8.6 the same usage event id with other content is refused EVENT_ID_CONFLICT', () => {
  let running: RunningTestApp;
  let nc: NatsConnection;
  const SUB = ids('sub-conflict');

  beforeAll(async () => {
    nc = await connectNats();
    running = await startTestApp(MeteringAppModule.register({ consumers }), description);
    await publishChanges(nc, [{ subscriptionId: SUB, accountId: ACCOUNT, sequence: 1, effectiveAt: '2025-11-01T00:00:00+08:00', quantity: 1 }]);
  });

  afterAll(async () => {
    await running?.close();
    await nc?.close();
  });

  async function storedQuantity(id: string): Promise<number | undefined> {
    const [row] = await sql<{ quantity: number }>('select quantity from metering.usage_event where id = $1', [id]);
    return row?.quantity;
  }

  it('#8.6 REST: same id and same content (the instant to the second) is a duplicate; other quantity, subscription or instant is refused per event and dead-lettered', async () => {
    const event = { id: ids('c-1'), subscriptionId: SUB, quantity: 5, timestamp: '2025-11-05T10:00:00+08:00' };
    expect((await running.api.post<ReportResult>('/v1/usage-events', { events: [event] })).body).toMatchObject({ accepted: 1, duplicates: 0 });
    const before = await deadLetterCount();
    const response = await running.api.post<ReportResult>('/v1/usage-events', {
      events: [
        { ...event, timestamp: '2025-11-05T02:00:00.400Z' },
        { ...event, quantity: 6 },
        { ...event, subscriptionId: KNOWN },
        { ...event, timestamp: '2025-11-05T10:00:01+08:00' },
      ],
    });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({
      accepted: 0,
      parked: 0,
      duplicates: 1,
      rejected: [
        { id: event.id, code: 'EVENT_ID_CONFLICT', message: expect.stringMatching(/quantity 5 \(received 6\)/) },
        { id: event.id, code: 'EVENT_ID_CONFLICT', message: expect.stringMatching(/subscriptionId/) },
        { id: event.id, code: 'EVENT_ID_CONFLICT', message: expect.stringMatching(/timestamp/) },
      ],
    });
    expect(await storedQuantity(event.id)).toBe(5);
    expect(await deadLetterCount()).toBe(before + 3);
    const letters = await sql<{ code: string; source: string }>('select code, source from metering.dead_letter where event_id = $1', [event.id]);
    expect(letters).toEqual(Array.from({ length: 3 }, () => ({ code: 'EVENT_ID_CONFLICT', source: 'rest' })));
  });

  it('#8.6 REST: within one batch, the second event with an id and other content is refused; the first is stored', async () => {
    const event = { id: ids('c-batch'), subscriptionId: SUB, quantity: 2, timestamp: '2025-11-06T10:00:00+08:00' };
    const response = await running.api.post<ReportResult>('/v1/usage-events', { events: [event, event, { ...event, quantity: 3 }] });
    expect(response.body).toEqual({ accepted: 1, parked: 0, duplicates: 1, rejected: [{ id: event.id, code: 'EVENT_ID_CONFLICT', message: expect.any(String) }] });
    expect(await storedQuantity(event.id)).toBe(2);
  });

  it('#8.6 two batches racing with the same ids and other content: the unique key decides, each id stored once, the loser refused', async () => {
    const events = Array.from({ length: 200 }, (_, i) => ({ id: ids(`race-${i}`), subscriptionId: SUB, quantity: 1, timestamp: '2025-11-07T10:00:00+08:00' }));
    const [a, b] = await Promise.all([
      running.api.post<ReportResult>('/v1/usage-events', { events }),
      running.api.post<ReportResult>('/v1/usage-events', { events: events.map((event) => ({ ...event, quantity: 2 })) }),
    ]);
    expect(a.body.accepted + b.body.accepted).toBe(200);
    expect(a.body.rejected.length + b.body.rejected.length).toBe(200);
    expect([...a.body.rejected, ...b.body.rejected].every((refusal) => refusal.code === 'EVENT_ID_CONFLICT')).toBe(true);
    const refusedByA = new Set(a.body.rejected.map((refusal) => refusal.id));
    for (const event of events) {
      expect(await storedQuantity(event.id)).toBe(refusedByA.has(event.id) ? 2 : 1);
    }
  });

  it('#8.6 NATS: an event id used again with other content is dead-lettered EVENT_ID_CONFLICT (once per message); the stored event stays', async () => {
    const event = { id: ids('c-nats'), subscriptionId: SUB, quantity: 8, timestamp: '2025-11-08T10:00:00+08:00' };
    await publishJson(nc, SUBJECTS.usageReported, event, event.id);
    await eventually(async () => (await storedQuantity(event.id)) === 8, 'the first event');
    await publishJson(nc, SUBJECTS.usageReported, { ...event, quantity: 80 }, `${event.id}-other`);
    const [letter] = await eventually(async () => {
      const found = await sql<{ code: string; source: string; payload: unknown }>('select code, source, payload from metering.dead_letter where event_id = $1', [event.id]);
      return found.length > 0 && found;
    }, 'the conflict dead letter');
    expect(letter).toEqual({ code: 'EVENT_ID_CONFLICT', source: 'nats', payload: { ...event, quantity: 80 } });
    expect(await storedQuantity(event.id)).toBe(8);
  });
});
