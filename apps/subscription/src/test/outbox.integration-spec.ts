import { MikroORM } from '@mikro-orm/postgresql';
import { CLOCK, FakeClock, newId } from '@cec/kernel';
import { STREAMS, SUBJECTS } from '@cec/contracts';
import { DEFAULT_OUTBOX_SETTINGS, JetStreamService, OUTBOX_SETTINGS, OutboxRelay, OutboxSettings } from '@cec/platform';
import { resetSchema, RunningTestApp, sql, startTestApp, useTestEnvironment } from '@cec/testing';
import { SubscriptionAppModule } from '../app.module';
import { SUBSCRIPTION_ORM } from '../subscription.module-def';

useTestEnvironment();

type OutboxRowState = {
  event_id: string;
  published: boolean;
  attempts: number;
  last_error: string | null;
  parked: boolean;
  retry_later: boolean;
  aggregate_seq: string | null;
  payload: Record<string, unknown>;
};

const decoder = new TextDecoder();

/**
 * Finding 7 (issue 9): the outbox relay. The app's own relay is stopped; each test drives a relay
 * of its own over the app's ORM and JetStream connection, with the settings it needs.
 */
describe('#9.7 outbox relay (subscription schema, JetStream BILLING_EVENTS)', () => {
  let running: RunningTestApp;
  let orm: MikroORM;
  let jetStream: JetStreamService;
  let published: string[];

  beforeAll(async () => {
    await resetSchema(SUBSCRIPTION_ORM);
    process.env['OUTBOX_RETENTION_HOURS'] = '36';
    running = await startTestApp(SubscriptionAppModule.register({ clock: { provide: CLOCK, useValue: new FakeClock('2026-04-16T01:00:00Z') } }), {
      app: 'subscription',
      title: 'subscription',
      description: 'test',
    });
    await running.app.get(OutboxRelay).onApplicationShutdown(); // the tests run their own relays
    orm = running.app.get(MikroORM);
    jetStream = running.app.get(JetStreamService);
  });

  afterAll(async () => {
    delete process.env['OUTBOX_RETENTION_HOURS'];
    await running?.close();
  });

  it('#9.7 the app relay takes its retention from OUTBOX_RETENTION_HOURS', () => {
    expect(running.app.get<OutboxSettings>(OUTBOX_SETTINGS).retentionHours).toBe(36);
    expect((running.app.get(OutboxRelay) as unknown as { settings: OutboxSettings }).settings.retentionHours).toBe(36);
  });

  beforeEach(async () => {
    await sql('delete from subscription.outbox');
    published = [];
    const publish = jetStream.publish.bind(jetStream);
    jest.spyOn(jetStream, 'publish').mockImplementation(async (subject, payload, msgId) => {
      published.push(String(msgId));
      return publish(subject, payload, msgId);
    });
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  function relay(settings: Partial<OutboxSettings> = {}, via: JetStreamService = jetStream): OutboxRelay {
    return new OutboxRelay(orm, via, { ...DEFAULT_OUTBOX_SETTINGS, ...settings });
  }

  async function insertRows(rows: Array<{ eventId: string; accountId?: string; payload?: Record<string, unknown> }>): Promise<void> {
    for (const row of rows) {
      const payload = row.payload ?? { id: row.eventId, occurredAt: '2026-04-16T01:00:00Z', accountId: row.accountId ?? 'acct-outbox', name: 'x', currency: 'USD' };
      await sql(`insert into subscription.outbox (event_id, subject, payload, created_at) values ($1, $2, $3::jsonb, now())`, [
        row.eventId,
        SUBJECTS.accountCreated,
        JSON.stringify(payload),
      ]);
    }
  }

  async function rows(): Promise<OutboxRowState[]> {
    return sql<OutboxRowState>(`
      select event_id, published_at is not null as published, attempts, last_error, failed_at is not null as parked,
             next_attempt_at > now() as retry_later, aggregate_seq::text, payload
        from subscription.outbox order by seq`);
  }

  it('#9.7 one row that cannot be published neither rolls back nor re-sends the others (per-row outcome)', async () => {
    const good = Array.from({ length: 30 }, (_, index) => ({ eventId: `evt-good-${index}-${newId('t')}` }));
    const bad = { eventId: `evt-too-large-${newId('t')}`, payload: { accountId: 'acct-big', blob: 'x'.repeat(1_200_000) } };
    await insertRows([...good.slice(0, 15), bad, ...good.slice(15)]);

    const first = await relay({ batchSize: 100, publishConcurrency: 8 }).relayBatch();
    expect(first).toEqual({ published: 30, failed: 1, unavailable: false });
    const state = await rows();
    expect(state.filter((row) => row.published).map((row) => row.event_id).sort()).toEqual(good.map((row) => row.eventId).sort());
    const badRow = state.find((row) => row.event_id === bad.eventId);
    expect(badRow).toMatchObject({ published: false, attempts: 1, parked: false, retry_later: true });
    expect(badRow?.last_error).toMatch(/MAX_PAYLOAD_EXCEEDED/);

    // more passes: nothing already published goes out again, the failing row waits for its backoff
    await relay().drain();
    await relay().drain();
    expect(published.filter((id) => id !== bad.eventId).sort()).toEqual(good.map((row) => row.eventId).sort());
    expect(published.filter((id) => id === bad.eventId)).toHaveLength(1);

    // every publish carries Nats-Msg-Id = event id (JetStream dedupes on it)
    const jsm = await jetStream.nc.jetstreamManager();
    const message = await jsm.streams.getMessage(STREAMS.billingEvents.name, { last_by_subj: SUBJECTS.accountCreated });
    expect(good.map((row) => row.eventId)).toContain(message.header.get('Nats-Msg-Id'));
    expect(JSON.parse(decoder.decode(message.data))).toMatchObject({ id: message.header.get('Nats-Msg-Id') });
  });

  it('#9.7 a row that keeps failing is parked after the bound, with its error (visible, never silently lost)', async () => {
    const bad = { eventId: `evt-parked-${newId('t')}`, payload: { accountId: 'acct-big', blob: 'y'.repeat(1_200_000) } };
    await insertRows([bad]);
    const quick = relay({ maxAttempts: 3, retryBaseDelayMs: 1, retryMaxDelayMs: 1 });
    for (let pass = 0; pass < 5; pass += 1) {
      await sql(`update subscription.outbox set next_attempt_at = now() where event_id = $1 and failed_at is null`, [bad.eventId]);
      await quick.relayBatch();
    }
    const [row] = await rows();
    expect(row).toMatchObject({ event_id: bad.eventId, published: false, attempts: 3, parked: true });
    expect(row.last_error).toMatch(/MAX_PAYLOAD_EXCEEDED/);
    expect(published).toHaveLength(3); // not retried once parked
  });

  it('#9.7 when NATS is unavailable rows are retried with backoff, never parked, and the pass says unavailable (the relay pauses)', async () => {
    const eventId = `evt-transient-${newId('t')}`;
    await insertRows([{ eventId }]);
    const away = {
      publish: async () => {
        throw Object.assign(new Error('no responders available for request'), { code: '503' });
      },
      isHealthy: async () => false,
    } as unknown as JetStreamService;
    const unreachable = relay({ maxAttempts: 2, retryBaseDelayMs: 1, retryMaxDelayMs: 1 }, away);
    for (let pass = 0; pass < 4; pass += 1) {
      await sql(`update subscription.outbox set next_attempt_at = now() where event_id = $1`, [eventId]);
      expect(await unreachable.relayBatch()).toEqual({ published: 0, failed: 1, unavailable: true });
    }
    expect((await rows())[0]).toMatchObject({ published: false, attempts: 4, parked: false });
    await sql(`update subscription.outbox set next_attempt_at = now() where event_id = $1`, [eventId]);
    expect(await relay().drain()).toBe(1);
    expect((await rows())[0]).toMatchObject({ published: true, last_error: null });
  });

  it('#9.7 published rows older than the retention are pruned in bounded chunks; pending and parked rows stay', async () => {
    const old = Array.from({ length: 5 }, (_, index) => ({ eventId: `evt-old-${index}-${newId('t')}` }));
    const recent = { eventId: `evt-recent-${newId('t')}` };
    const pending = { eventId: `evt-pending-${newId('t')}` };
    const parked = { eventId: `evt-parked-old-${newId('t')}` };
    await insertRows([...old, recent, pending, parked]);
    await sql(`update subscription.outbox set published_at = now() - interval '25 hours' where event_id like 'evt-old-%'`);
    await sql(`update subscription.outbox set published_at = now() - interval '1 hour' where event_id = $1`, [recent.eventId]);
    await sql(`update subscription.outbox set failed_at = now() - interval '48 hours', created_at = now() - interval '48 hours' where event_id = $1`, [parked.eventId]);
    expect(await relay({ retentionHours: 24, pruneChunk: 2 }).prune()).toBe(5);
    expect((await rows()).map((row) => row.event_id).sort()).toEqual([recent.eventId, pending.eventId, parked.eventId].sort());
  });

  it('#9.7 each account gets its own gap-free sequence, unique in the database and carried as accountSequence', async () => {
    // concurrent transactions for the same two accounts
    await Promise.all(
      Array.from({ length: 12 }, (_, index) => insertRows([{ eventId: `evt-seq-${index}-${newId('t')}`, accountId: index % 2 === 0 ? 'acct-even' : 'acct-odd' }])),
    );
    const state = await sql<{ aggregate_id: string; aggregate_seq: string; payload_seq: number }>(
      `select aggregate_id, aggregate_seq::text, (payload->>'accountSequence')::int as payload_seq from subscription.outbox order by aggregate_id, aggregate_seq`,
    );
    for (const account of ['acct-even', 'acct-odd']) {
      const mine = state.filter((row) => row.aggregate_id === account);
      expect(mine.map((row) => Number(row.aggregate_seq))).toEqual([1, 2, 3, 4, 5, 6]);
      expect(mine.map((row) => row.payload_seq)).toEqual([1, 2, 3, 4, 5, 6]);
    }
    await expect(
      sql(`insert into subscription.outbox (event_id, subject, payload, created_at, aggregate_id, aggregate_seq) values ('evt-dup', 'x', '{}'::jsonb, now(), 'acct-even', 3)`),
    ).rejects.toThrow(/outbox_aggregate_seq_uq/);
    // the sequence survives pruning (a counter row, not max(seq) of what is left)
    await sql(`delete from subscription.outbox where aggregate_id = 'acct-even'`);
    await insertRows([{ eventId: `evt-seq-after-${newId('t')}`, accountId: 'acct-even' }]);
    const [after] = await sql<{ s: string }>(`select aggregate_seq::text as s from subscription.outbox where aggregate_id = 'acct-even'`);
    expect(after.s).toBe('7');
    // and the published event carries it
    await relay().drain();
    const jsm = await jetStream.nc.jetstreamManager();
    const message = await jsm.streams.getMessage(STREAMS.billingEvents.name, { last_by_subj: SUBJECTS.accountCreated });
    expect(JSON.parse(decoder.decode(message.data))).toHaveProperty('accountSequence');
  });
});
