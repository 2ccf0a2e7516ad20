import type { NatsConnection } from 'nats';
import { Client } from 'pg';
import { CONSUMERS, STREAMS, SUBJECTS } from '@cec/contracts';
import { OutboxRelay } from '@cec/platform';
import { connectNats, publishJson, resetSchema, resetStream, RunningTestApp, sql, startTestApp, TEST_DATABASE_URL, useTestEnvironment } from '@cec/testing';
import { MeteringAppModule } from '../app.module';
import { METERING_ORM } from '../metering.module-def';
import { deadLetterCount, eventually, ids, publishChanges, resetMeteringStreams } from './metering-test-support';

useTestEnvironment();

const description = { app: 'metering' as const, title: 'metering', description: 'test' };
const consumers = { parkedUsageSweepIntervalMs: 0 };

type StoredRow = {
  id: string;
  quantity: number;
  parked_source: string | null;
};

async function storedOf(subscriptionIds: string[]): Promise<StoredRow[]> {
  return sql<StoredRow>('select id, quantity, parked_source from metering.usage_event where subscription_id = any($1) order by id', [subscriptionIds]);
}

describe('#11 set-based ingestion: a whole fetch of usage.reported in one write', () => {
  let nc: NatsConnection;

  beforeAll(async () => {
    await resetSchema(METERING_ORM);
    nc = await connectNats();
    await resetMeteringStreams(nc);
    await resetStream(nc, STREAMS.meteringEvents);
  });

  afterAll(async () => {
    await nc?.close();
  });

  it('#11 a pre-filled stream drained at start: a batch mixing new events, duplicates, id conflicts, unknown subscriptions and bad messages commits exactly the good ones, and every message is acked', async () => {
    const account = ids('acc-batch');
    const known = ids('sub-batch');
    const unknown = ids('sub-batch-unknown');
    const ev = (name: string, quantity: number, subscriptionId = known) => ({ id: ids(name), subscriptionId, quantity, timestamp: '2026-03-10T09:00:00+08:00' });

    // metering learns the subscription and stores one event, then stops
    const first = await startTestApp(MeteringAppModule.register({ consumers }), description);
    try {
      await publishChanges(nc, [{ subscriptionId: known, accountId: account, sequence: 1, effectiveAt: '2026-03-01T00:00:00+08:00', quantity: 1 }]);
      expect((await first.api.post('/v1/usage-events', { events: [ev('b-stored', 4)] })).status).toBe(202);
    } finally {
      await first.close();
    }
    const lettersBefore = await deadLetterCount();

    // while it is stopped, one backlog of every kind (distinct message ids: none dropped by the server)
    const messages: Array<[string, unknown]> = [
      ['m1', ev('b-new-1', 1)],
      ['m2', ev('b-new-2', 2)],
      ['m3', ev('b-new-1', 1)], // duplicate inside the batch (R6.1)
      ['m4', ev('b-stored', 4)], // duplicate of a stored event (R6.1)
      ['m5', ev('b-stored', 5)], // other content under a stored id (#8.6)
      ['m6', ev('b-new-3', 3)],
      ['m7', ev('b-new-3', 30)], // other content under an id of the batch (#8.6)
      ['m8', ev('b-parked', 6, unknown)], // parked, not refused (#9.3)
      ['m9', '{"id": "broken'], // not JSON (R6.3)
      ['m10', ev('b-negative', -1)], // invalid (R6.3)
    ];
    for (const [msgId, payload] of messages) await publishJson(nc, SUBJECTS.usageReported, payload, ids(msgId));

    const second = await startTestApp(MeteringAppModule.register({ consumers }), description);
    try {
      const jsm = await nc.jetstreamManager();
      await eventually(async () => {
        const info = await jsm.consumers.info(STREAMS.usage.name, CONSUMERS.meteringUsage);
        return info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq > 0;
      }, 'every message acked');

      // m6 and m7 may be fetched by two loops (or replicas): the one committed first is stored
      const stored = await storedOf([known, unknown]);
      expect([3, 30]).toContain(stored.find((row) => row.id === ids('b-new-3'))?.quantity);
      expect(stored.filter((row) => row.id !== ids('b-new-3'))).toEqual([
        { id: ids('b-new-1'), quantity: 1, parked_source: null },
        { id: ids('b-new-2'), quantity: 2, parked_source: null },
        { id: ids('b-parked'), quantity: 6, parked_source: 'nats' },
        { id: ids('b-stored'), quantity: 4, parked_source: null },
      ]);
      const letters = await sql<{ event_id: string | null; code: string; source: string }>(
        'select event_id, code, source from metering.dead_letter order by id offset $1',
        [lettersBefore],
      );
      expect(letters).toHaveLength(4);
      expect(letters).toEqual(
        expect.arrayContaining([
          { event_id: ids('b-stored'), code: 'EVENT_ID_CONFLICT', source: 'nats' },
          { event_id: ids('b-new-3'), code: 'EVENT_ID_CONFLICT', source: 'nats' },
          { event_id: null, code: 'VALIDATION_FAILED', source: 'nats' },
          { event_id: ids('b-negative'), code: 'VALIDATION_FAILED', source: 'nats' },
        ]),
      );
    } finally {
      await second.close();
    }
  });

  it('#11 writes of one subscription and month fold into its usage.changed row while the relay has not sent it; a row a relay pass holds is left alone, of two waiting rows the newest takes the fold; accountSequence stays gap-free', async () => {
    const account = ids('acc-fold');
    const subscription = ids('sub-fold');
    const running: RunningTestApp = await startTestApp(MeteringAppModule.register({ consumers }), description);
    const holder = new Client({ connectionString: TEST_DATABASE_URL });
    await holder.connect();
    try {
      await publishChanges(nc, [{ subscriptionId: subscription, accountId: account, sequence: 1, effectiveAt: '2026-03-01T00:00:00+08:00', quantity: 1 }]);
      const rowsOf = () =>
        sql<{ seq: string; event_id: string; published: boolean; revision: string; account_sequence: number }>(
          `select seq::text, event_id, published_at is not null as published, payload->>'revision' as revision, (payload->>'accountSequence')::int as account_sequence
           from metering.outbox where payload->>'subscriptionId' = $1 and payload->>'period' = '2026-04' order by seq`,
          [subscription],
        );
      const lastSequence = async (): Promise<number> =>
        Number((await sql<{ n: string }>('select last_seq::text as n from metering.outbox_aggregate_sequence where aggregate_id = $1', [account]))[0].n);
      const sequenceBefore = await eventually(async () => {
        const [changed] = await sql<{ published: boolean }>('select published_at is not null as published from metering.outbox where payload->>$1 = $2', ['subscriptionId', subscription]);
        return changed?.published ? lastSequence() : undefined;
      }, 'the subscription change relayed');
      // no relay from here on: what the writes leave in the outbox is what a backlog would
      await running.app.get(OutboxRelay).onApplicationShutdown();

      const post = (name: string, day: string) =>
        running.api.post('/v1/usage-events', { events: [{ id: ids(name), subscriptionId: subscription, quantity: 1, timestamp: `2026-04-${day}T09:00:00+08:00` }] });
      expect((await post('f-1', '02')).status).toBe(202);
      expect((await post('f-2', '03')).status).toBe(202);
      const [newest] = await sql<{ revision: string }>('select max(revision)::text as revision from metering.usage_event where subscription_id = $1', [subscription]);
      const folded = await rowsOf();
      expect(folded).toHaveLength(1);
      expect(folded[0]).toMatchObject({ published: false, revision: newest.revision, account_sequence: sequenceBefore + 1 });
      expect(folded[0].event_id).toMatch(new RegExp(`^usage-changed-${newest.revision}-[0-9a-f]{16}$`));

      // a relay pass holds the row (for update): the next write gets a row of its own, numbered next
      await holder.query('begin');
      await holder.query('select 1 from metering.outbox where seq = $1 for update', [folded[0].seq]);
      expect((await post('f-3', '04')).status).toBe(202);
      await holder.query('rollback');
      const after = await rowsOf();
      expect(after).toHaveLength(2);
      expect(after.map((row) => row.account_sequence)).toEqual([sequenceBefore + 1, sequenceBefore + 2]);
      expect(await lastSequence()).toBe(sequenceBefore + 2);

      // two rows of the key wait now: the next write folds into the newest only (one id, one row)
      expect((await post('f-4', '05')).status).toBe(202);
      const [latest] = await sql<{ revision: string }>('select max(revision)::text as revision from metering.usage_event where subscription_id = $1', [subscription]);
      const twoWaiting = await rowsOf();
      expect(twoWaiting).toHaveLength(2);
      expect(twoWaiting[0]).toEqual(after[0]);
      expect(twoWaiting[1]).toMatchObject({ seq: after[1].seq, revision: latest.revision, account_sequence: sequenceBefore + 2 });
      expect(await lastSequence()).toBe(sequenceBefore + 2);
    } finally {
      await holder.end();
      await running.close();
    }
  });

  it('#11 with the trigger\'s when condition (migration 0006), a row inserted without its account sequence is numbered as before, and a row that has both (the set-based writes) is left as inserted', async () => {
    const account = ids('acc-trigger');
    const db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    try {
      await db.query('begin');
      const insert = (id: string, aggregate: [string, number] | null) =>
        db.query(
          `insert into metering.outbox (event_id, subject, payload, created_at, aggregate_id, aggregate_seq) values ($1, 'test.subject', $2::jsonb, now(), $3, $4)`,
          [ids(id), JSON.stringify({ accountId: account }), aggregate?.[0] ?? null, aggregate?.[1] ?? null],
        );
      await insert('t-1', null);
      await insert('t-2', null);
      await insert('t-3', [account, 9]);
      const rows = await db.query<{ aggregate_id: string; aggregate_seq: string; account_sequence: number | null }>(
        `select aggregate_id, aggregate_seq::text, (payload->>'accountSequence')::int as account_sequence from metering.outbox where payload->>'accountId' = $1 order by seq`,
        [account],
      );
      expect(rows.rows).toEqual([
        { aggregate_id: account, aggregate_seq: '1', account_sequence: 1 },
        { aggregate_id: account, aggregate_seq: '2', account_sequence: 2 },
        // both given: left as inserted (the counter is not advanced either)
        { aggregate_id: account, aggregate_seq: '9', account_sequence: null },
      ]);
      const counter = await db.query<{ last_seq: string }>('select last_seq::text from metering.outbox_aggregate_sequence where aggregate_id = $1', [account]);
      expect(counter.rows).toEqual([{ last_seq: '2' }]);
    } finally {
      await db.query('rollback').catch(() => undefined);
      await db.end();
    }
  });
});
