import { DateTime } from 'luxon';
import { ConsumerMessages, NatsConnection, Subscription as NatsSubscription } from 'nats';
import { CLOCK, DomainError, FakeClock, newId } from '@cec/kernel';
import {
  AccountCreatedEvent,
  GetProductReply,
  PATTERNS,
  ProductSummary,
  QUEUE_GROUPS,
  STREAMS,
  SUBJECTS,
  SubscriptionChangedEvent,
} from '@cec/contracts';
import { connectNats, resetSchema, RunningTestApp, sql, startTestApp, useTestEnvironment } from '@cec/testing';
import { SUBSCRIPTION_REPOSITORY, SubscriptionRepository } from '@cec/subscription-application';
import { SubscriptionAppModule } from '../app.module';
import { SUBSCRIPTION_ORM } from '../subscription.module-def';

useTestEnvironment();

// ---- a stand-in for the catalog app: Nest's NATS request/reply wire format ----
// request: JSON {pattern, data, id}; reply: JSON {id, response, isDisposed: true} (or {id, err, isDisposed}).

const CATALOG: Record<string, ProductSummary> = {
  'basic-cec': { code: 'basic-cec', name: 'Basic CEC', unit: 'agent', features: ['voice inbound call'], billingModes: ['pay_per_use'] },
  'professional-cec': { code: 'professional-cec', name: 'Professional CEC', unit: 'agent', features: ['automatic outbound call'], billingModes: ['pay_per_use'] },
  'advanced-cec': { code: 'advanced-cec', name: 'Advanced CEC', unit: 'agent', features: ['web chat'], billingModes: ['pay_per_use'] },
  'voice-chatbot': { code: 'voice-chatbot', name: 'Voice chatbot', unit: 'channel', features: ['ASR', 'TTS', 'OIAP'], billingModes: ['pay_per_use'] },
  // hypothetical: a product whose catalog entry allows no mode the platform supports (R3.1)
  'legacy-cec': { code: 'legacy-cec', name: 'Legacy CEC', unit: 'agent', features: [], billingModes: ['annual_prepaid'] },
};

type CatalogMode = 'up' | 'silent' | 'error';

interface SubscriptionBody {
  id: string;
  accountId: string;
  productCode: string;
  unit: string;
  quantity: number;
  billingMode: string;
  status: string;
  enabledAt: string;
  cancelledAt: string | null;
  version: number;
  pendingBillingModeChange: unknown;
  changes: Array<{ sequence: number; kind: string; effectiveAt: string; productCode: string; quantity: number; billingMode: string; status: string }>;
}

interface ReceivedEvent {
  subject: string;
  msgId: string | undefined;
  payload: Record<string, unknown>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('subscription app against PostgreSQL and NATS', () => {
  const clock = new FakeClock('2026-04-16T01:00:00Z');
  let running: RunningTestApp;
  let nc: NatsConnection;
  let catalogSubscription: NatsSubscription;
  let catalogMode: CatalogMode = 'up';
  const catalogRequests: unknown[] = [];
  let eventStream: ConsumerMessages;
  const received: ReceivedEvent[] = [];

  beforeAll(async () => {
    await resetSchema(SUBSCRIPTION_ORM);
    nc = await connectNats();
    catalogSubscription = nc.subscribe(PATTERNS.catalogGetProduct, {
      queue: QUEUE_GROUPS.catalog,
      callback: (error, message) => {
        if (error) return;
        const request = JSON.parse(decoder.decode(message.data)) as { pattern: string; data: { code?: unknown }; id: string };
        catalogRequests.push(request.data);
        if (catalogMode === 'silent') return;
        const reply =
          catalogMode === 'error'
            ? { id: request.id, err: { status: 'error', message: 'Internal server error' }, isDisposed: true }
            : { id: request.id, response: { product: CATALOG[String(request.data?.code)] ?? null } satisfies GetProductReply, isDisposed: true };
        message.respond(encoder.encode(JSON.stringify(reply)));
      },
    });
    await nc.flush();

    running = await startTestApp(SubscriptionAppModule.register({ clock: { provide: CLOCK, useValue: clock }, config: { natsRequestTimeoutMs: 1500 } }), {
      app: 'subscription',
      title: 'subscription',
      description: 'test',
    });

    // A JetStream consumer on BILLING_EVENTS from the stream's current end: it sees only what this
    // suite publishes (no purge, so other suites and a running stack are left alone).
    const jsm = await nc.jetstreamManager();
    const startSeq = (await jsm.streams.info(STREAMS.billingEvents.name)).state.last_seq + 1;
    const consumer = await nc.jetstream().consumers.get(STREAMS.billingEvents.name, { opt_start_seq: startSeq });
    eventStream = await consumer.consume();
    void (async () => {
      for await (const message of eventStream) {
        received.push({ subject: message.subject, msgId: message.headers?.get('Nats-Msg-Id'), payload: JSON.parse(decoder.decode(message.data)) });
      }
    })();
  });

  afterAll(async () => {
    await eventStream?.close();
    catalogSubscription?.unsubscribe();
    await running?.close();
    await nc?.close();
  });

  beforeEach(() => {
    catalogMode = 'up';
  });

  // ---- helpers ----

  async function state(): Promise<Record<string, string>> {
    const [row] = await sql<Record<string, string>>(`
      select (select count(*) from subscription.account)::text as accounts,
             (select count(*) from subscription.subscription)::text as subscriptions,
             (select count(*) from subscription.subscription_change)::text as changes,
             (select count(*) from subscription.outbox)::text as outbox,
             (select coalesce(md5(string_agg(s::text, '|' order by s.id)), '') from subscription.subscription s) as subscription_rows,
             (select coalesce(md5(string_agg(a::text, '|' order by a.id)), '') from subscription.account a) as account_rows`);
    return row;
  }

  async function createAccount(id: string, name = `Account ${id}`): Promise<void> {
    const response = await running.api.post('/v1/accounts', { id, name });
    expect(response.status).toBe(201);
  }

  async function createSubscription(body: Record<string, unknown>): Promise<SubscriptionBody> {
    const response = await running.api.post<SubscriptionBody>('/v1/subscriptions', { billingMode: 'pay_per_use', ...body });
    expect(response.status).toBe(201);
    return response.body;
  }

  async function outboxOf(subscriptionId: string): Promise<Array<{ event_id: string; subject: string; payload: SubscriptionChangedEvent; published_at: Date | null }>> {
    return sql(`select event_id, subject, payload, published_at from subscription.outbox where payload->>'subscriptionId' = $1 order by seq`, [subscriptionId]);
  }

  async function changeRows(subscriptionId: string): Promise<Array<{ sequence: number; kind: string; quantity: number; product_code: string; event_id: string }>> {
    return sql(`select sequence, kind, quantity, product_code, event_id from subscription.subscription_change where subscription_id = $1 order by sequence`, [
      subscriptionId,
    ]);
  }

  function eventsOf(subject: string, predicate: (payload: Record<string, unknown>) => boolean): ReceivedEvent[] {
    return received.filter((event) => event.subject === subject && predicate(event.payload));
  }

  // ---- accounts ----

  describe('accounts (R3.1)', () => {
    it('creates an account with a chosen id, reads it back, and publishes subscription.account.created (outbox → JetStream)', async () => {
      clock.set('2026-04-16T01:00:00.750Z');
      const created = await running.api.post('/v1/accounts', { id: 'acme', name: '  Acme Contact Center ' });
      expect(created.status).toBe(201);
      // R2: instants go out in UTC+8, to the second, from the injected clock
      expect(created.body).toEqual({ id: 'acme', name: 'Acme Contact Center', currency: 'USD', createdAt: '2026-04-16T09:00:00+08:00' });
      const read = await running.api.get('/v1/accounts/acme');
      expect(read.status).toBe(200);
      expect(read.body).toEqual(created.body);

      const [outbox] = await sql<{ event_id: string; subject: string; payload: AccountCreatedEvent }>(
        `select event_id, subject, payload from subscription.outbox where payload->>'accountId' = 'acme'`,
      );
      expect(outbox.subject).toBe(SUBJECTS.accountCreated);
      expect(outbox.event_id).toMatch(/^evt_/);
      const event = await waitFor('subscription.account.created on BILLING_EVENTS', () => eventsOf(SUBJECTS.accountCreated, (p) => p['accountId'] === 'acme')[0]);
      expect(event.payload).toEqual({ id: outbox.event_id, occurredAt: '2026-04-16T09:00:00+08:00', accountId: 'acme', name: 'Acme Contact Center', currency: 'USD', accountSequence: 1 });
      expect(event.msgId).toBe(outbox.event_id);
      // the relay marks what it published
      await waitFor('outbox row marked published', async () => {
        const [row] = await sql<{ published_at: Date | null }>('select published_at from subscription.outbox where event_id = $1', [outbox.event_id]);
        return row.published_at ?? undefined;
      });
    });

    it('chooses an id when none is given; every account gets its own event id', async () => {
      const first = await running.api.post<{ id: string }>('/v1/accounts', { name: 'Globex' });
      const second = await running.api.post<{ id: string }>('/v1/accounts', { name: 'Globex' });
      expect(first.status).toBe(201);
      expect(first.body.id).toMatch(/^acc_[0-9a-f]{32}$/);
      expect(second.body.id).not.toBe(first.body.id);
      const events = await waitFor('two account events', () => {
        const found = eventsOf(SUBJECTS.accountCreated, (p) => p['accountId'] === first.body.id || p['accountId'] === second.body.id);
        return found.length === 2 ? found : undefined;
      });
      expect(new Set(events.map((event) => event.payload['id'])).size).toBe(2);
    });
  });

  // ---- R3.1 ----

  describe('R3.1 billing modes', () => {
    beforeAll(async () => {
      await createAccount('r31');
    });

    it('R3.1 enables a pay_per_use subscription on a catalog product, looked up over NATS request/reply', async () => {
      catalogRequests.length = 0;
      const created = await running.api.post('/v1/subscriptions', {
        id: 'sub-r31',
        accountId: 'r31',
        productCode: 'basic-cec',
        quantity: 10,
        billingMode: 'pay_per_use',
        enabledAt: '2026-04-16T09:30:00+08:00',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        id: 'sub-r31',
        accountId: 'r31',
        productCode: 'basic-cec',
        unit: 'agent',
        quantity: 10,
        billingMode: 'pay_per_use',
        status: 'active',
        enabledAt: '2026-04-16T09:30:00+08:00',
        cancelledAt: null,
      });
      expect(catalogRequests).toEqual([{ code: 'basic-cec' }]);
    });

    it('R3.1 refuses any other billing mode with UNSUPPORTED_BILLING_MODE and stores nothing', async () => {
      const before = await state();
      const response = await running.api.post('/v1/subscriptions', {
        accountId: 'r31',
        productCode: 'basic-cec',
        quantity: 1,
        billingMode: 'monthly',
        enabledAt: '2026-04-16T09:30:00+08:00',
      });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ statusCode: 400, code: 'UNSUPPORTED_BILLING_MODE', message: expect.stringMatching(/^billingMode "monthly" is not supported/) });
      expect(await state()).toEqual(before);
    });

    it('R3.1 the modes a product allows come from the catalog: a product without pay_per_use is refused', async () => {
      const before = await state();
      const response = await running.api.post('/v1/subscriptions', {
        accountId: 'r31',
        productCode: 'legacy-cec',
        quantity: 1,
        billingMode: 'pay_per_use',
        enabledAt: '2026-04-16T09:30:00+08:00',
      });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ statusCode: 400, code: 'UNSUPPORTED_BILLING_MODE', message: expect.stringMatching(/billingMode "pay_per_use" is not allowed by product legacy-cec/) });
      expect(await state()).toEqual(before);
    });
  });

  // ---- R2.3 ----

  describe('R2 instants', () => {
    beforeAll(async () => {
      await createAccount('r2');
    });

    it('R2.3 2026-01-31T17:00:00Z is answered as 2026-02-01T01:00:00+08:00 and stored as that very instant (timestamptz, to the second)', async () => {
      const created = await createSubscription({ id: 'sub-r23', accountId: 'r2', productCode: 'basic-cec', quantity: 3, enabledAt: '2026-01-31T17:00:00.987Z' });
      expect(created.enabledAt).toBe('2026-02-01T01:00:00+08:00');
      const [row] = await sql<{ enabled_at: Date; utc: string; type: string }>(
        `select enabled_at, to_char(enabled_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') as utc, pg_typeof(enabled_at)::text as type from subscription.subscription where id = 'sub-r23'`,
      );
      expect(row.type).toBe('timestamp with time zone');
      expect(row.utc).toBe('2026-01-31T17:00:00.000');
      expect(row.enabled_at.toISOString()).toBe('2026-01-31T17:00:00.000Z');
      // the same instant written with another offset is the same instant
      const changed = await running.api.post<SubscriptionBody>('/v1/subscriptions/sub-r23/changes', { effectiveAt: '2026-02-01T01:00:00+08:00', quantity: 4 });
      expect(changed.status).toBe(201);
      expect(changed.body.changes.map((c) => c.effectiveAt)).toEqual(['2026-02-01T01:00:00+08:00', '2026-02-01T01:00:00+08:00']);
    });

    it('R2.2 refuses an instant without an offset, naming the field', async () => {
      const before = await state();
      const response = await running.api.post('/v1/subscriptions', { accountId: 'r2', productCode: 'basic-cec', quantity: 1, billingMode: 'pay_per_use', enabledAt: '2026-02-01T01:00:00' });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(/^enabledAt must be an ISO-8601 instant with an offset/) });
      expect(await state()).toEqual(before);
    });
  });

  // ---- R3.2 ----

  describe('R3.2 enabling, quantity changes and cancellation, each at an instant', () => {
    beforeAll(async () => {
      await createAccount('r32');
      await createSubscription({ id: 'sub-r32', accountId: 'r32', productCode: 'basic-cec', quantity: 10, enabledAt: '2026-04-16T09:30:00+08:00' });
    });

    async function quantityAt(at: string): Promise<{ quantity: number; inForce: unknown }> {
      const response = await running.api.get<{ quantity: number; inForce: unknown }>(`/v1/subscriptions/sub-r32/quantity?at=${encodeURIComponent(at)}`);
      expect(response.status).toBe(200);
      return response.body;
    }

    it('R3.2 the quantity is 0 before enabling and the enabled quantity from the enabling instant (to the second)', async () => {
      expect(await quantityAt('2026-04-16T09:29:59+08:00')).toEqual({ subscriptionId: 'sub-r32', at: '2026-04-16T09:29:59+08:00', quantity: 0, inForce: null });
      expect((await quantityAt('2026-04-16T01:30:00Z')).quantity).toBe(10);
    });

    it('R3.2 changes the quantity at an instant; the history is kept as `changes`', async () => {
      const changed = await running.api.post<SubscriptionBody>('/v1/subscriptions/sub-r32/changes', { effectiveAt: '2026-04-20T10:00:00+08:00', quantity: 12 });
      expect(changed.status).toBe(201);
      expect(changed.body).toMatchObject({ id: 'sub-r32', quantity: 12, status: 'active', version: 2 });
      const zero = await running.api.post<SubscriptionBody>('/v1/subscriptions/sub-r32/changes', { effectiveAt: '2026-04-21T10:00:00+08:00', quantity: 0 });
      expect(zero.status).toBe(201);
      expect(zero.body.quantity).toBe(0);
      const read = await running.api.get<SubscriptionBody>('/v1/subscriptions/sub-r32');
      expect(read.status).toBe(200);
      expect(read.body.changes).toEqual([
        { sequence: 1, kind: 'enabled', effectiveAt: '2026-04-16T09:30:00+08:00', productCode: 'basic-cec', quantity: 10, billingMode: 'pay_per_use', status: 'active' },
        { sequence: 2, kind: 'quantity_changed', effectiveAt: '2026-04-20T10:00:00+08:00', productCode: 'basic-cec', quantity: 12, billingMode: 'pay_per_use', status: 'active' },
        { sequence: 3, kind: 'quantity_changed', effectiveAt: '2026-04-21T10:00:00+08:00', productCode: 'basic-cec', quantity: 0, billingMode: 'pay_per_use', status: 'active' },
      ]);
      expect((await quantityAt('2026-04-20T09:59:59+08:00')).quantity).toBe(10);
      expect((await quantityAt('2026-04-20T10:00:00+08:00')).quantity).toBe(12);
      await running.api.post('/v1/subscriptions/sub-r32/changes', { effectiveAt: '2026-04-22T10:00:00+08:00', quantity: 5 });
    });

    it.each([
      ['a negative quantity', { effectiveAt: '2026-04-25T00:00:00+08:00', quantity: -1 }, 400, 'VALIDATION_FAILED', /^quantity must be a whole number >= 0$/],
      ['a fractional quantity', { effectiveAt: '2026-04-25T00:00:00+08:00', quantity: 2.5 }, 400, 'VALIDATION_FAILED', /^quantity must be a whole number >= 0$/],
      ['a quantity as a string', { effectiveAt: '2026-04-25T00:00:00+08:00', quantity: '3' }, 400, 'VALIDATION_FAILED', /^quantity must be a whole number >= 0$/],
      ['a change before enabling', { effectiveAt: '2026-04-16T09:29:59+08:00', quantity: 3 }, 400, 'VALIDATION_FAILED', /^effectiveAt must not be before the subscription was enabled \(2026-04-16T09:30:00\+08:00\)/],
      ['a change before the last change', { effectiveAt: '2026-04-21T00:00:00+08:00', quantity: 3 }, 409, 'CHANGE_BEFORE_LAST_CHANGE', /^effectiveAt must not be before the subscription's last change/],
    ])('R3.2/R8.1 refuses %s and changes nothing', async (_name, body, status, code, message) => {
      const before = await state();
      const response = await running.api.post('/v1/subscriptions/sub-r32/changes', body);
      expect(response.status).toBe(status);
      expect(response.body).toEqual({ statusCode: status, code, message: expect.stringMatching(message) });
      expect(await state()).toEqual(before);
    });

    it('R3.2 cancels at an instant: quantity 0 from then on; after cancelling nothing may change', async () => {
      const cancelled = await running.api.post<SubscriptionBody>('/v1/subscriptions/sub-r32/cancel', { effectiveAt: '2026-04-30T18:00:00+08:00' });
      expect(cancelled.status).toBe(201);
      expect(cancelled.body).toMatchObject({ status: 'cancelled', quantity: 0, cancelledAt: '2026-04-30T18:00:00+08:00', enabledAt: '2026-04-16T09:30:00+08:00' });
      expect(cancelled.body.changes.at(-1)).toMatchObject({ kind: 'cancelled', quantity: 0, status: 'cancelled' });
      expect((await quantityAt('2026-04-30T17:59:59+08:00')).quantity).toBe(5);
      expect((await quantityAt('2026-04-30T18:00:00+08:00')).quantity).toBe(0);
      expect((await quantityAt('2027-01-01T00:00:00+08:00')).quantity).toBe(0);

      const before = await state();
      const change = await running.api.post('/v1/subscriptions/sub-r32/changes', { effectiveAt: '2026-05-02T00:00:00+08:00', quantity: 3 });
      expect(change.status).toBe(409);
      expect(change.body).toEqual({ statusCode: 409, code: 'SUBSCRIPTION_NOT_ACTIVE', message: expect.stringMatching(/sub-r32 was cancelled at 2026-04-30T18:00:00\+08:00/) });
      const again = await running.api.post('/v1/subscriptions/sub-r32/cancel', { effectiveAt: '2026-05-02T00:00:00+08:00' });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ code: 'SUBSCRIPTION_NOT_ACTIVE' });
      expect(await state()).toEqual(before);
    });

    it('lists an account\'s subscriptions; 404 for an unknown account', async () => {
      await createSubscription({ id: 'sub-r32-b', accountId: 'r32', productCode: 'voice-chatbot', quantity: 2, enabledAt: '2026-04-17T00:00:00+08:00' });
      const list = await running.api.get<SubscriptionBody[]>('/v1/accounts/r32/subscriptions');
      expect(list.status).toBe(200);
      expect(list.body.map((s) => [s.id, s.status, s.quantity, s.unit])).toEqual([
        ['sub-r32', 'cancelled', 0, 'agent'],
        ['sub-r32-b', 'active', 2, 'channel'],
      ]);
      const missing = await running.api.get('/v1/accounts/nobody/subscriptions');
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ statusCode: 404, code: 'ACCOUNT_NOT_FOUND', message: expect.stringMatching(/nobody/) });
    });
  });

  // ---- R3.5 ----

  describe('R3.5 edition changes', () => {
    beforeAll(async () => {
      await createAccount('r35');
      await createSubscription({ id: 'sub-r35', accountId: 'r35', productCode: 'basic-cec', quantity: 10, enabledAt: '2026-04-16T09:30:00+08:00' });
    });

    it('R3.5 Basic to Professional keeps the subscription and changes its product at the instant', async () => {
      catalogRequests.length = 0;
      const changed = await running.api.post<SubscriptionBody>('/v1/subscriptions/sub-r35/changes', { effectiveAt: '2026-04-20T00:00:00+08:00', productCode: 'professional-cec' });
      expect(changed.status).toBe(201);
      expect(changed.body).toMatchObject({ id: 'sub-r35', productCode: 'professional-cec', quantity: 10, enabledAt: '2026-04-16T09:30:00+08:00', version: 2 });
      expect(changed.body.changes.at(-1)).toEqual({
        sequence: 2,
        kind: 'edition_changed',
        effectiveAt: '2026-04-20T00:00:00+08:00',
        productCode: 'professional-cec',
        quantity: 10,
        billingMode: 'pay_per_use',
        status: 'active',
      });
      expect(catalogRequests).toEqual([{ code: 'professional-cec' }]);
      const both = await running.api.post<SubscriptionBody>('/v1/subscriptions/sub-r35/changes', { effectiveAt: '2026-04-25T00:00:00+08:00', productCode: 'advanced-cec', quantity: 12 });
      expect(both.status).toBe(201);
      expect(both.body.changes.at(-1)).toMatchObject({ kind: 'changed', productCode: 'advanced-cec', quantity: 12 });
      const list = await running.api.get<SubscriptionBody[]>('/v1/accounts/r35/subscriptions');
      expect(list.body).toHaveLength(1);
    });

    it.each([
      ['another unit', 'voice-chatbot', 400, 'VALIDATION_FAILED', /^productCode voice-chatbot is billed per channel but the subscription is billed per agent/],
      ['an unknown product', 'no-such-edition', 404, 'PRODUCT_NOT_FOUND', /^productCode: product "no-such-edition" does not exist/],
      ['a product that does not allow the mode', 'legacy-cec', 400, 'UNSUPPORTED_BILLING_MODE', /not allowed by product legacy-cec/],
    ])('R3.5/R8.1 refuses an edition change to %s and changes nothing', async (_name, productCode, status, code, message) => {
      const before = await state();
      const response = await running.api.post('/v1/subscriptions/sub-r35/changes', { effectiveAt: '2026-04-26T00:00:00+08:00', productCode });
      expect(response.status).toBe(status);
      expect(response.body).toEqual({ statusCode: status, code, message: expect.stringMatching(message) });
      expect(await state()).toEqual(before);
    });
  });

  // ---- R3.3 ----

  describe('R3.3 billing-mode changes', () => {
    beforeAll(async () => {
      await createAccount('r33');
      await createSubscription({ id: 'sub-r33', accountId: 'r33', productCode: 'basic-cec', quantity: 4, enabledAt: '2026-04-16T09:30:00+08:00' });
    });

    it('R3.3 requesting the mode in force is a 200 no-op: nothing stored, nothing published', async () => {
      const before = await state();
      const response = await running.api.post<SubscriptionBody>('/v1/subscriptions/sub-r33/billing-mode', { billingMode: 'pay_per_use', requestedAt: '2026-04-20T10:00:00+08:00' });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id: 'sub-r33', billingMode: 'pay_per_use', version: 1, pendingBillingModeChange: null });
      expect(await state()).toEqual(before);
    });

    it('R3.3/R3.1 another mode cannot take effect: the product allows no other, so it is refused with UNSUPPORTED_BILLING_MODE', async () => {
      const before = await state();
      const response = await running.api.post('/v1/subscriptions/sub-r33/billing-mode', { billingMode: 'monthly', requestedAt: '2026-04-20T10:00:00+08:00' });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ statusCode: 400, code: 'UNSUPPORTED_BILLING_MODE', message: expect.stringMatching(/^billingMode "monthly" is not supported/) });
      expect(await state()).toEqual(before);
    });

    it.each([
      ['before enabling', 'sub-r33', { billingMode: 'pay_per_use', requestedAt: '2026-04-16T09:00:00+08:00' }, 400, 'VALIDATION_FAILED', /^requestedAt must not be before the subscription was enabled/],
      ['without requestedAt', 'sub-r33', { billingMode: 'pay_per_use' }, 400, 'VALIDATION_FAILED', /^requestedAt must be an ISO-8601 instant/],
      ['without billingMode', 'sub-r33', { requestedAt: '2026-04-20T10:00:00+08:00' }, 400, 'VALIDATION_FAILED', /^billingMode must be one of: pay_per_use/],
      ['for an unknown subscription', 'nope', { billingMode: 'pay_per_use', requestedAt: '2026-04-20T10:00:00+08:00' }, 404, 'SUBSCRIPTION_NOT_FOUND', /nope/],
    ])('R3.3/R8.1 refuses a request %s', async (_name, id, body, status, code, message) => {
      const before = await state();
      const response = await running.api.post(`/v1/subscriptions/${id}/billing-mode`, body);
      expect(response.status).toBe(status);
      expect(response.body).toEqual({ statusCode: status, code, message: expect.stringMatching(message) });
      expect(await state()).toEqual(before);
    });

    it('R3.3 refuses a request on a cancelled subscription (409)', async () => {
      await running.api.post('/v1/subscriptions/sub-r33/cancel', { effectiveAt: '2026-04-25T00:00:00+08:00' });
      const before = await state();
      const response = await running.api.post('/v1/subscriptions/sub-r33/billing-mode', { billingMode: 'pay_per_use', requestedAt: '2026-04-26T00:00:00+08:00' });
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ statusCode: 409, code: 'SUBSCRIPTION_NOT_ACTIVE' });
      expect(await state()).toEqual(before);
    });
  });

  // ---- R8.1 ----

  describe('R8.1 bad input answers 4xx with the contract error body naming the field, and changes nothing', () => {
    beforeAll(async () => {
      await createAccount('r81');
      await createSubscription({ id: 'sub-r81', accountId: 'r81', productCode: 'basic-cec', quantity: 10, enabledAt: '2026-04-16T09:30:00+08:00' });
    });

    const subscription = { accountId: 'r81', productCode: 'basic-cec', quantity: 1, billingMode: 'pay_per_use', enabledAt: '2026-04-16T09:30:00+08:00' };
    const cases: Array<[string, 'GET' | 'POST', string, unknown, number, string, RegExp]> = [
      ['account: duplicate id', 'POST', '/v1/accounts', { id: 'r81', name: 'again' }, 409, 'ACCOUNT_EXISTS', /^id: an account with id "r81" already exists$/],
      ['account: missing name', 'POST', '/v1/accounts', { id: 'x1' }, 400, 'VALIDATION_FAILED', /^name must be a non-empty string$/],
      ['account: blank name', 'POST', '/v1/accounts', { name: '   ' }, 400, 'VALIDATION_FAILED', /^name must be a non-empty string$/],
      ['account: name as a number', 'POST', '/v1/accounts', { name: 42 }, 400, 'VALIDATION_FAILED', /^name must be/],
      ['account: name too long', 'POST', '/v1/accounts', { name: 'x'.repeat(201) }, 400, 'VALIDATION_FAILED', /^name must be at most 200 characters$/],
      ['account: malformed id', 'POST', '/v1/accounts', { id: 'has space', name: 'A' }, 400, 'VALIDATION_FAILED', /^id must be 1 to 128 letters/],
      ['account: unknown field', 'POST', '/v1/accounts', { name: 'A', colour: 'red' }, 400, 'VALIDATION_FAILED', /colour/],
      ['account: unknown id', 'GET', '/v1/accounts/nobody', undefined, 404, 'ACCOUNT_NOT_FOUND', /^account "nobody" does not exist$/],
      ['subscription: unknown account', 'POST', '/v1/subscriptions', { ...subscription, accountId: 'nobody' }, 404, 'ACCOUNT_NOT_FOUND', /nobody/],
      ['subscription: unknown product', 'POST', '/v1/subscriptions', { ...subscription, productCode: 'nope' }, 404, 'PRODUCT_NOT_FOUND', /^productCode: product "nope" does not exist/],
      ['subscription: duplicate id', 'POST', '/v1/subscriptions', { ...subscription, id: 'sub-r81' }, 409, 'SUBSCRIPTION_EXISTS', /^id: a subscription with id "sub-r81" already exists$/],
      ['subscription: negative quantity', 'POST', '/v1/subscriptions', { ...subscription, quantity: -1 }, 400, 'VALIDATION_FAILED', /^quantity must be a whole number >= 0$/],
      ['subscription: fractional quantity', 'POST', '/v1/subscriptions', { ...subscription, quantity: 1.5 }, 400, 'VALIDATION_FAILED', /^quantity must be a whole number >= 0$/],
      ['subscription: missing quantity', 'POST', '/v1/subscriptions', { ...subscription, quantity: undefined }, 400, 'VALIDATION_FAILED', /^quantity must be/],
      ['subscription: missing accountId', 'POST', '/v1/subscriptions', { ...subscription, accountId: undefined }, 400, 'VALIDATION_FAILED', /^accountId must be/],
      ['subscription: missing productCode', 'POST', '/v1/subscriptions', { ...subscription, productCode: '' }, 400, 'VALIDATION_FAILED', /^productCode must be/],
      ['subscription: missing billingMode', 'POST', '/v1/subscriptions', { ...subscription, billingMode: undefined }, 400, 'VALIDATION_FAILED', /^billingMode must be one of/],
      ['subscription: bad enabledAt', 'POST', '/v1/subscriptions', { ...subscription, enabledAt: '2026-02-30T00:00:00Z' }, 400, 'VALIDATION_FAILED', /^enabledAt /],
      ['subscription: unknown field', 'POST', '/v1/subscriptions', { ...subscription, price: '1.00' }, 400, 'VALIDATION_FAILED', /price/],
      ['subscription: unknown id', 'GET', '/v1/subscriptions/nope', undefined, 404, 'SUBSCRIPTION_NOT_FOUND', /^subscription "nope" does not exist$/],
      ['change: unknown subscription', 'POST', '/v1/subscriptions/nope/changes', { effectiveAt: '2026-04-20T00:00:00Z', quantity: 1 }, 404, 'SUBSCRIPTION_NOT_FOUND', /nope/],
      ['change: nothing to change', 'POST', '/v1/subscriptions/sub-r81/changes', { effectiveAt: '2026-04-20T00:00:00Z' }, 400, 'VALIDATION_FAILED', /quantity and\/or productCode/],
      ['change: missing effectiveAt', 'POST', '/v1/subscriptions/sub-r81/changes', { quantity: 1 }, 400, 'VALIDATION_FAILED', /^effectiveAt must be an ISO-8601 instant/],
      ['change: negative quantity', 'POST', '/v1/subscriptions/sub-r81/changes', { effectiveAt: '2026-04-20T00:00:00Z', quantity: -3 }, 400, 'VALIDATION_FAILED', /^quantity must be a whole number >= 0$/],
      ['change: unknown field', 'POST', '/v1/subscriptions/sub-r81/changes', { effectiveAt: '2026-04-20T00:00:00Z', quantity: 1, status: 'x' }, 400, 'VALIDATION_FAILED', /status/],
      ['cancel: unknown subscription', 'POST', '/v1/subscriptions/nope/cancel', { effectiveAt: '2026-04-20T00:00:00Z' }, 404, 'SUBSCRIPTION_NOT_FOUND', /nope/],
      ['cancel: missing effectiveAt', 'POST', '/v1/subscriptions/sub-r81/cancel', {}, 400, 'VALIDATION_FAILED', /^effectiveAt must be an ISO-8601 instant/],
      ['cancel: before enabling', 'POST', '/v1/subscriptions/sub-r81/cancel', { effectiveAt: '2026-04-16T01:29:59Z' }, 400, 'VALIDATION_FAILED', /^effectiveAt must not be before the subscription was enabled/],
      ['quantity: bad at', 'GET', '/v1/subscriptions/sub-r81/quantity?at=yesterday', undefined, 400, 'VALIDATION_FAILED', /^at must be an ISO-8601 instant/],
    ];

    it.each(cases)('%s', async (_name, method, path, body, status, code, message) => {
      const before = await state();
      const response = method === 'GET' ? await running.api.get(path) : await running.api.post(path, body);
      expect(response.status).toBe(status);
      expect(response.body).toEqual({ statusCode: status, code, message: expect.stringMatching(message) });
      expect(await state()).toEqual(before);
    });

    it('malformed JSON is a 400', async () => {
      const before = await state();
      const response = await running.api.raw('POST', '/v1/subscriptions', '{"accountId": ');
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(/JSON/) });
      expect(await state()).toEqual(before);
    });

    it('a missing or wrong token is a 401', async () => {
      const before = await state();
      const anonymous = await running.api.withToken(null).post('/v1/accounts', { name: 'Sneaky' });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
      const wrong = await running.api.withToken('not-the-token-at-all-0000').post('/v1/subscriptions/sub-r81/cancel', { effectiveAt: '2026-04-20T00:00:00Z' });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
      expect(await state()).toEqual(before);
    });

    it('the catalog not answering is a 503 CATALOG_UNAVAILABLE naming productCode, and nothing is stored', async () => {
      const before = await state();
      catalogMode = 'silent';
      const created = await running.api.post('/v1/subscriptions', subscription);
      expect(created.status).toBe(503);
      expect(created.body).toEqual({ statusCode: 503, code: 'CATALOG_UNAVAILABLE', message: expect.stringMatching(/^productCode: the catalog could not be asked for product "basic-cec"/) });
      const edition = await running.api.post('/v1/subscriptions/sub-r81/changes', { effectiveAt: '2026-04-20T00:00:00Z', productCode: 'professional-cec' });
      expect(edition.status).toBe(503);
      expect(edition.body).toMatchObject({ code: 'CATALOG_UNAVAILABLE' });
      catalogMode = 'error';
      const failing = await running.api.post('/v1/subscriptions', subscription);
      expect(failing.status).toBe(503);
      expect(failing.body).toMatchObject({ code: 'CATALOG_UNAVAILABLE' });
      expect(await state()).toEqual(before);
      // a quantity change does not need the catalog
      const quantity = await running.api.post('/v1/subscriptions/sub-r81/changes', { effectiveAt: '2026-04-20T00:00:00Z', quantity: 11 });
      expect(quantity.status).toBe(201);
    });
  });

  // ---- the outbox ----

  describe('subscription.changed through the transactional outbox', () => {
    beforeAll(async () => {
      await createAccount('events');
    });

    it('every change is stored with its outbox row and reaches BILLING_EVENTS as subscription.changed with the full new state', async () => {
      clock.set('2026-04-18T02:00:00Z');
      await createSubscription({ id: 'sub-events', accountId: 'events', productCode: 'basic-cec', quantity: 10, enabledAt: '2026-04-16T09:30:00+08:00' });
      await running.api.post('/v1/subscriptions/sub-events/changes', { effectiveAt: '2026-04-20T10:00:00+08:00', quantity: 12, productCode: 'professional-cec' });
      await running.api.post('/v1/subscriptions/sub-events/cancel', { effectiveAt: '2026-04-30T18:00:00+08:00' });

      const changes = await changeRows('sub-events');
      const outbox = await outboxOf('sub-events');
      expect(changes.map((c) => c.sequence)).toEqual([1, 2, 3]);
      expect(outbox.map((o) => o.event_id)).toEqual(changes.map((c) => c.event_id));
      expect(outbox.every((o) => o.subject === SUBJECTS.subscriptionChanged)).toBe(true);

      const events = await waitFor('three subscription.changed events', () => {
        const found = eventsOf(SUBJECTS.subscriptionChanged, (p) => p['subscriptionId'] === 'sub-events');
        return found.length >= 3 ? found : undefined;
      });
      expect(events.map((e) => e.payload)).toEqual([
        {
          id: changes[0].event_id,
          occurredAt: '2026-04-18T10:00:00+08:00',
          subscriptionId: 'sub-events',
          accountId: 'events',
          // the account's events from this app: account.created was 1 (#9.7)
          accountSequence: 2,
          kind: 'enabled',
          effectiveAt: '2026-04-16T09:30:00+08:00',
          sequence: 1,
          productCode: 'basic-cec',
          quantity: 10,
          billingMode: 'pay_per_use',
          status: 'active',
          enabledAt: '2026-04-16T09:30:00+08:00',
          cancelledAt: null,
        },
        {
          id: changes[1].event_id,
          occurredAt: '2026-04-18T10:00:00+08:00',
          subscriptionId: 'sub-events',
          accountId: 'events',
          // the account's events from this app: account.created was 1 (#9.7)
          accountSequence: 3,
          kind: 'changed',
          effectiveAt: '2026-04-20T10:00:00+08:00',
          sequence: 2,
          productCode: 'professional-cec',
          quantity: 12,
          billingMode: 'pay_per_use',
          status: 'active',
          enabledAt: '2026-04-16T09:30:00+08:00',
          cancelledAt: null,
        },
        {
          id: changes[2].event_id,
          occurredAt: '2026-04-18T10:00:00+08:00',
          subscriptionId: 'sub-events',
          accountId: 'events',
          // the account's events from this app: account.created was 1 (#9.7)
          accountSequence: 4,
          kind: 'cancelled',
          effectiveAt: '2026-04-30T18:00:00+08:00',
          sequence: 3,
          productCode: 'professional-cec',
          quantity: 0,
          billingMode: 'pay_per_use',
          status: 'cancelled',
          enabledAt: '2026-04-16T09:30:00+08:00',
          cancelledAt: '2026-04-30T18:00:00+08:00',
        },
      ]);
      // JetStream message ids are the event ids (server-side dedupe if the relay publishes twice)
      expect(events.map((e) => e.msgId)).toEqual(changes.map((c) => c.event_id));
      await waitFor('outbox rows marked published', async () => ((await outboxOf('sub-events')).every((o) => o.published_at !== null) ? true : undefined));
    });

    async function installCrash(table: 'outbox' | 'subscription_change'): Promise<void> {
      await sql(`create or replace function subscription.simulated_crash() returns trigger language plpgsql as $$
                 begin raise exception 'simulated crash while writing %', tg_table_name; end $$`);
      await sql(`create trigger simulated_crash before insert on subscription.${table} for each row execute function subscription.simulated_crash()`);
    }

    async function removeCrash(table: 'outbox' | 'subscription_change'): Promise<void> {
      await sql(`drop trigger if exists simulated_crash on subscription.${table}`);
    }

    it.each(['outbox', 'subscription_change'] as const)(
      'crash-safe: when writing the %s row fails, the change is not stored and no event is enqueued (one transaction)',
      async (table) => {
        await createSubscription({ id: `sub-crash-${table}`, accountId: 'events', productCode: 'basic-cec', quantity: 10, enabledAt: '2026-04-16T09:30:00+08:00' });
        const before = await state();
        await installCrash(table);
        try {
          const response = await running.api.post(`/v1/subscriptions/sub-crash-${table}/changes`, { effectiveAt: '2026-04-20T10:00:00+08:00', quantity: 99 });
          expect(response.status).toBe(500);
          if (table === 'outbox') {
            // an account whose event cannot be written is not created either
            const account = await running.api.post('/v1/accounts', { id: 'crash-account', name: 'Crash' });
            expect(account.status).toBe(500);
          }
        } finally {
          await removeCrash(table);
        }
        // the subscription row (version, quantity, updated_at), the change rows and the outbox are as before
        expect(await state()).toEqual(before);
        const read = await running.api.get<SubscriptionBody>(`/v1/subscriptions/sub-crash-${table}`);
        expect(read.body).toMatchObject({ quantity: 10, version: 1 });
        expect(eventsOf(SUBJECTS.subscriptionChanged, (p) => p['subscriptionId'] === `sub-crash-${table}` && p['quantity'] === 99)).toEqual([]);
        // and it works again once the database does
        const retried = await running.api.post<SubscriptionBody>(`/v1/subscriptions/sub-crash-${table}/changes`, { effectiveAt: '2026-04-20T10:00:00+08:00', quantity: 99 });
        expect(retried.status).toBe(201);
        expect((await outboxOf(`sub-crash-${table}`)).map((o) => o.payload.sequence)).toEqual([1, 2]);
      },
    );
  });

  // ---- concurrency ----

  describe('concurrent changes of one subscription', () => {
    beforeAll(async () => {
      await createAccount('race');
    });

    it('two writers from the same version: exactly one applies; the other gets CONCURRENT_MODIFICATION and writes nothing', async () => {
      await createSubscription({ id: 'sub-race', accountId: 'race', productCode: 'basic-cec', quantity: 10, enabledAt: '2026-04-16T09:30:00+08:00' });
      const repository = running.app.get<SubscriptionRepository>(SUBSCRIPTION_REPOSITORY);
      const [first, second] = await Promise.all([repository.find('sub-race'), repository.find('sub-race')]);
      if (!first || !second) throw new Error('sub-race not found');
      const [beforeFirst, beforeSecond] = [first.snapshot(), second.snapshot()];
      const at = DateTime.fromISO('2026-04-20T02:00:00Z', { zone: 'utc' });
      first.change({ effectiveAt: at, quantity: 11 });
      second.change({ effectiveAt: at, quantity: 12 });
      const now = clock.now();
      const events = (subscription: typeof first, version: number) =>
        subscription.changesAfter(version).map((change) => subscription.toChangedEvent(change, newId('evt'), now));
      const results = await Promise.allSettled([
        repository.save(first, beforeFirst, events(first, beforeFirst.version), now),
        repository.save(second, beforeSecond, events(second, beforeSecond.version), now),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected?.reason).toBeInstanceOf(DomainError);
      expect((rejected?.reason as DomainError).code).toBe('CONCURRENT_MODIFICATION');
      const rows = await changeRows('sub-race');
      expect(rows.map((r) => r.sequence)).toEqual([1, 2]);
      expect((await outboxOf('sub-race')).map((o) => o.payload.sequence)).toEqual([1, 2]);
      const [row] = await sql<{ version: number; quantity: number }>(`select version, quantity from subscription.subscription where id = 'sub-race'`);
      expect(row).toEqual({ version: 2, quantity: rows[1].quantity });
    });

    it('the database itself refuses a second change with the same (subscription, sequence)', async () => {
      await expect(
        sql(
          `insert into subscription.subscription_change (id, subscription_id, sequence, kind, effective_at, product_code, quantity, billing_mode, status, event_id, recorded_at)
           values ('chg_dup', 'sub-race', 2, 'quantity_changed', now(), 'basic-cec', 1, 'pay_per_use', 'active', 'evt_dup', now())`,
        ),
      ).rejects.toMatchObject({ code: '23505', constraint: 'subscription_change_sequence_key' });
    });

    it('many changes racing over HTTP: each applies to the newest version or is refused; history, versions and events stay consistent', async () => {
      await createSubscription({ id: 'sub-race-http', accountId: 'race', productCode: 'basic-cec', quantity: 1, enabledAt: '2026-04-16T09:30:00+08:00' });
      const quantities = [2, 3, 4, 5, 6, 7, 8, 9];
      const responses = await Promise.all(
        quantities.map((quantity) => running.api.post<SubscriptionBody & { code?: string }>('/v1/subscriptions/sub-race-http/changes', { effectiveAt: '2026-04-20T10:00:00+08:00', quantity })),
      );
      const applied = responses.filter((r) => r.status === 201);
      const refused = responses.filter((r) => r.status !== 201);
      expect(refused.every((r) => r.status === 409 && r.body.code === 'CONCURRENT_MODIFICATION')).toBe(true);
      expect(applied.length).toBeGreaterThanOrEqual(1);
      // every applied change got its own version
      expect(new Set(applied.map((r) => r.body.version)).size).toBe(applied.length);
      const rows = await changeRows('sub-race-http');
      expect(rows.map((r) => r.sequence)).toEqual(Array.from({ length: applied.length + 1 }, (_, i) => i + 1));
      expect(rows.slice(1).map((r) => r.quantity).sort()).toEqual(applied.map((r) => r.body.quantity).sort());
      const outbox = await outboxOf('sub-race-http');
      expect(outbox.map((o) => o.event_id)).toEqual(rows.map((r) => r.event_id));
      const [row] = await sql<{ version: number; quantity: number }>(`select version, quantity from subscription.subscription where id = 'sub-race-http'`);
      expect(row).toEqual({ version: rows.length, quantity: rows[rows.length - 1].quantity });
    });
  });

  it('serves /health without a token, and OpenAPI at /docs-json with every route and its DTOs', async () => {
    const health = await running.api.withToken(null).get<{ status: string }>('/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    const docs = await running.api.withToken(null).get<{ paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } }>('/docs-json');
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/accounts',
        '/v1/accounts/{id}',
        '/v1/accounts/{id}/subscriptions',
        '/v1/subscriptions',
        '/v1/subscriptions/{id}',
        '/v1/subscriptions/{id}/quantity',
        '/v1/subscriptions/{id}/changes',
        '/v1/subscriptions/{id}/cancel',
        '/v1/subscriptions/{id}/billing-mode',
      ]),
    );
    expect(Object.keys(docs.body.components.schemas)).toEqual(
      expect.arrayContaining(['CreateAccountDto', 'AccountView', 'CreateSubscriptionDto', 'ChangeSubscriptionDto', 'CancelSubscriptionDto', 'BillingModeChangeDto', 'SubscriptionDetailView', 'ErrorView']),
    );
  });
});
