import type { NatsConnection, Subscription as NatsSubscription } from 'nats';
import { GetProductReply, PATTERNS, QUEUE_GROUPS } from '@cec/contracts';
import { connectNats, fuzzRoutes, resetSchema, RunningTestApp, sql, startTestApp, useTestEnvironment } from '@cec/testing';
import { SubscriptionAppModule } from '../app.module';
import { SUBSCRIPTION_ORM } from '../subscription.module-def';

useTestEnvironment();

const encoder = new TextEncoder();
const decoder = new TextDecoder();

describe('subscription under hostile input (issue #8)', () => {
  let running: RunningTestApp;
  let nc: NatsConnection;
  let catalog: NatsSubscription;

  beforeAll(async () => {
    await resetSchema(SUBSCRIPTION_ORM);
    nc = await connectNats();
    // a stand-in catalog that knows basic-cec (Nest's NATS request/reply wire format)
    catalog = nc.subscribe(PATTERNS.catalogGetProduct, {
      queue: QUEUE_GROUPS.catalog,
      callback: (error, message) => {
        if (error) return;
        const request = JSON.parse(decoder.decode(message.data)) as { data: { code?: unknown }; id: string };
        const product = request.data?.code === 'basic-cec' ? { code: 'basic-cec', name: 'Basic CEC', unit: 'agent' as const, features: [], billingModes: ['pay_per_use'] } : null;
        message.respond(encoder.encode(JSON.stringify({ id: request.id, response: { product } satisfies GetProductReply, isDisposed: true })));
      },
    });
    await nc.flush();
    running = await startTestApp(SubscriptionAppModule.register({ config: { natsRequestTimeoutMs: 2000 } }), { app: 'subscription', title: 'subscription', description: 'test' });
    expect((await running.api.post('/v1/accounts', { id: 'acme', name: 'Acme' })).status).toBe(201);
    const created = await running.api.post('/v1/subscriptions', { id: 'sub-1', accountId: 'acme', productCode: 'basic-cec', quantity: 1, billingMode: 'pay_per_use', enabledAt: '2026-04-16T09:30:00+08:00' });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    catalog?.unsubscribe();
    await running?.close();
    await nc?.close();
  });

  async function rows(): Promise<string> {
    const [row] = await sql<{ n: string }>(
      `select (select count(*) from subscription.account) || '/' || (select count(*) from subscription.subscription) || '/' || (select count(*) from subscription.subscription_change) as n`,
    );
    return row.n;
  }

  const subscription = { accountId: 'acme', productCode: 'basic-cec', quantity: 1, billingMode: 'pay_per_use', enabledAt: '2026-04-16T09:30:00+08:00' };
  it.each<[string, string, unknown, RegExp]>([
    ['#8.2 enabledAt in year 0001 (+08:00)', '/v1/subscriptions', { ...subscription, enabledAt: '0001-01-01T00:00:00+08:00' }, /^enabledAt must be an instant from 1970-01-01/],
    ['#8.2 enabledAt in year 0000', '/v1/subscriptions', { ...subscription, enabledAt: '0000-01-01T00:00:00Z' }, /^enabledAt must be an instant from 1970-01-01/],
    ['#8.2 a NUL in the account name', '/v1/accounts', { name: 'Acme\u0000Corp' }, /^name must not contain/],
    ['#8.2 a NUL in the account id', '/v1/accounts', { id: 'a\u0000b', name: 'Acme' }, /^id must/],
    ['#8.2 a NUL in the product code', '/v1/subscriptions', { ...subscription, productCode: 'basic\u0000cec' }, /^productCode must/],
    ['#8.3 an offset of +25:00', '/v1/subscriptions', { ...subscription, enabledAt: '2026-01-01T00:00:00+25:00' }, /^enabledAt must have an offset from -14:00 to \+14:00/],
    ['#8.3 an offset of -14:30', '/v1/subscriptions/sub-1/changes', { effectiveAt: '2026-05-01T00:00:00-14:30', quantity: 2 }, /^effectiveAt must have an offset/],
    ['#8.5 a quantity above the one limit (1000000)', '/v1/subscriptions', { ...subscription, quantity: 1_000_001 }, /^quantity must be a whole number >= 0 and at most 1000000$/],
    ['#8.5 an unsafe integer quantity', '/v1/subscriptions/sub-1/changes', { effectiveAt: '2026-05-01T00:00:00Z', quantity: 2 ** 53 + 2 }, /^quantity must be a whole number/],
  ])('%s is a 400 naming the field, and nothing is stored', async (_name, path, body, message) => {
    const before = await rows();
    const response = await running.api.post(path, body);
    expect(response.body).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(message) });
    expect(await rows()).toBe(before);
  });

  it('#8.3 +14:00 and -14:00 are real offsets and accepted', async () => {
    const response = await running.api.get('/v1/subscriptions/sub-1/quantity?at=2026-05-01T00%3A00%3A00%2B14%3A00');
    expect(response.status).toBe(200);
    const bad = await running.api.get('/v1/subscriptions/sub-1/quantity?at=2026-05-01T00%3A00%3A00%2B25%3A00');
    expect(bad.body).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(/^at must have an offset/) });
  });

  it('#8.4 a query value given as an object or twice is a 400 naming the parameter', async () => {
    for (const query of ['at[a]=1', 'at=2026-05-01T00%3A00%3A00Z&at=2026-05-02T00%3A00%3A00Z']) {
      const response = await running.api.get(`/v1/subscriptions/sub-1/quantity?${query}`);
      expect(response.body).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(/\bat\b/) });
    }
  });

  it('R3.1 UNSUPPORTED_BILLING_MODE stays a 400 with its own code through the schema', async () => {
    const response = await running.api.post('/v1/subscriptions', { ...subscription, billingMode: 'monthly' });
    expect(response.body).toEqual({ statusCode: 400, code: 'UNSUPPORTED_BILLING_MODE', message: expect.stringMatching(/^billingMode "monthly" is not supported/) });
  });

  it('#8.2 #8.3 #8.4 #8.5 fuzz: hostile bodies, queries and path ids on every route: never a 5xx, always a JSON error, no 4xx changes anything', async () => {
    const report = await fuzzRoutes({ baseUrl: running.api.baseUrl, app: running.app, schema: 'subscription', numRuns: 250, seed: 8_002 });
    console.log(`subscription fuzz: ${report.requests} requests over ${report.routes.length} routes (${report.routes.join(', ')}); statuses ${JSON.stringify(report.statuses)}`);
    expect(report.routes.length).toBeGreaterThanOrEqual(8);
    expect(report.failures).toEqual([]);
  });
});
