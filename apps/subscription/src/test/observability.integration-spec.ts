import type { DestinationStream } from 'pino';
import { CONSUMERS, STREAMS, SUBJECTS } from '@cec/contracts';
import { CLOCK, FakeClock } from '@cec/kernel';
import { MetricsListener, OutboxRelay } from '@cec/platform';
import { connectNats, resetSchema, RunningTestApp, sql, startTestApp, TEST_OPERATOR_TOKEN, useTestEnvironment } from '@cec/testing';
// The correlation test follows one request across three apps (catalog answers the product look-up,
// metering consumes the subscription.changed it causes), so this suite boots them beside subscription.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { CatalogAppModule } from '../../../catalog/src/app.module';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { CATALOG_ORM } from '../../../catalog/src/catalog.module-def';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { MeteringAppModule } from '../../../metering/src/app.module';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { METERING_ORM } from '../../../metering/src/metering.module-def';
import { SubscriptionAppModule } from '../app.module';
import { SUBSCRIPTION_ORM } from '../subscription.module-def';

useTestEnvironment();

// private port of this suite's token-free metrics listener (16800-16899 belong to this worktree)
const METRICS_PORT = 16_801;

type LogLine = Record<string, unknown> & { msg?: string; requestId?: string; correlationId?: string; context?: string };

/** Captures the pino lines of the apps (a destination stream instead of stdout). */
class LogCapture implements DestinationStream {
  readonly raw: string[] = [];

  write(text: string): void {
    for (const line of text.split('\n')) if (line.trim() !== '') this.raw.push(line);
  }

  lines(from = 0): LogLine[] {
    return this.raw.slice(from).map((line) => JSON.parse(line) as LogLine);
  }
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The value of one sample of the Prometheus text, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

describe('#10 observability: metrics and logs (catalog, subscription and metering booted together)', () => {
  const clock = new FakeClock('2026-04-16T01:00:00Z');
  const logs = new LogCapture();
  let catalog: RunningTestApp;
  let subscription: RunningTestApp;
  let metering: RunningTestApp;
  let baseUrl: string;

  async function metricsText(token: string | null = TEST_OPERATOR_TOKEN): Promise<{ status: number; text: string; type: string | null }> {
    const response = await fetch(`${baseUrl}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: response.status, text: await response.text(), type: response.headers.get('content-type') };
  }

  beforeAll(async () => {
    await resetSchema(CATALOG_ORM);
    await resetSchema(SUBSCRIPTION_ORM);
    await resetSchema(METERING_ORM);
    // metering's consumer starts from what this suite publishes
    const nc = await connectNats();
    const jsm = await nc.jetstreamManager();
    await jsm.consumers.delete(STREAMS.billingEvents.name, CONSUMERS.meteringSubscriptionChanges).catch(() => undefined);
    await jsm.streams.purge(STREAMS.billingEvents.name, { filter: SUBJECTS.subscriptionChanged }).catch(() => undefined);
    await nc.close();
    const logging = { logDestination: logs, config: { logLevel: 'debug' as const } };
    catalog = await startTestApp(CatalogAppModule.register(logging), { app: 'catalog', title: 'catalog', description: 'test' });
    subscription = await startTestApp(
      SubscriptionAppModule.register({
        ...logging,
        clock: { provide: CLOCK, useValue: clock },
        config: { logLevel: 'debug', metricsPort: METRICS_PORT, metricsHost: '127.0.0.1' },
      }),
      { app: 'subscription', title: 'subscription', description: 'test' },
    );
    metering = await startTestApp(MeteringAppModule.register({ ...logging, clock: { provide: CLOCK, useValue: clock } }), {
      app: 'metering',
      title: 'metering',
      description: 'test',
    });
    baseUrl = subscription.api.baseUrl;
    expect((await catalog.api.post('/v1/products', { code: 'basic-cec', name: 'Basic CEC', unit: 'agent', features: ['softphone'], billingModes: ['pay_per_use'] })).status).toBe(201);
    expect((await subscription.api.post('/v1/accounts', { id: 'obs', name: 'Observability' })).status).toBe(201);
  }, 90_000);

  afterAll(async () => {
    await metering?.close();
    await subscription?.close();
    await catalog?.close();
    // leave no subscription.changed of this suite for other suites' metering consumers
    const nc = await connectNats();
    await (await nc.jetstreamManager()).streams.purge(STREAMS.billingEvents.name, { filter: SUBJECTS.subscriptionChanged }).catch(() => undefined);
    await nc.close();
  });

  it('#10 metrics /metrics needs the operator token: 401 without, 200 with, Prometheus text with the HTTP histogram by route pattern', async () => {
    expect((await subscription.api.get('/v1/accounts/obs')).status).toBe(200);
    expect((await subscription.api.get('/v1/accounts/nobody-here')).status).toBe(404);
    expect((await metricsText(null)).status).toBe(401);
    expect((await metricsText('not-an-operator-token-at-all')).status).toBe(401);
    const scraped = await metricsText();
    expect(scraped.status).toBe(200);
    expect(scraped.type).toContain('text/plain');
    // the matched route pattern, never the raw URL (no label per account id)
    const ok = { method: 'GET', route: '/v1/accounts/:id', status: '200' };
    expect(sample(scraped.text, 'cec_http_request_duration_seconds_count', ok)).toBeGreaterThanOrEqual(1);
    expect(sample(scraped.text, 'cec_http_request_duration_seconds_bucket', { ...ok, le: '+Inf' })).toBeGreaterThanOrEqual(1);
    expect(sample(scraped.text, 'cec_http_requests_total', { ...ok })).toBeGreaterThanOrEqual(1);
    expect(sample(scraped.text, 'cec_http_requests_total', { method: 'GET', route: '/v1/accounts/:id', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(scraped.text).not.toContain('/v1/accounts/obs"');
    expect(scraped.text).not.toContain('nobody-here');
    // the unauthorised scrapes are counted too, on their own route
    expect(sample(scraped.text, 'cec_http_requests_total', { method: 'GET', route: '/metrics', status: '401' })).toBeGreaterThanOrEqual(2);
    // default process metrics
    expect(scraped.text).toContain('process_cpu_user_seconds_total');
  });

  it('#10 metrics the OpenAPI documents GET /metrics with the operator token', async () => {
    const doc = (await subscription.api.get<{ paths: Record<string, Record<string, { security?: unknown }>> }>('/docs-json')).body;
    expect(doc.paths['/metrics']?.['get']?.security).toEqual([{ bearer: [] }]);
  });

  it('#10 metrics with METRICS_PORT set the separate listener answers without a token (the main port still needs one)', async () => {
    const address = subscription.app.get(MetricsListener).address();
    expect(address).toEqual({ host: '127.0.0.1', port: METRICS_PORT });
    const response = await fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('cec_http_request_duration_seconds_bucket');
    expect((await fetch(`http://127.0.0.1:${METRICS_PORT}/v1/accounts/obs`)).status).toBe(404);
    expect((await metricsText(null)).status).toBe(401);
  });

  it('#10 #11 metrics the outbox backlog gauges reflect the unpublished rows, the parked ones and the age of the oldest unpublished (each read by its partial index)', async () => {
    await subscription.app.get(OutboxRelay).drain();
    const before = await metricsText();
    expect(sample(before.text, 'cec_outbox_unpublished_rows', { schema: 'subscription' })).toBe(0);
    expect(sample(before.text, 'cec_outbox_oldest_unpublished_age_seconds', { schema: 'subscription' })).toBe(0);
    // three rows the relay leaves alone for an hour (a retry far ahead), the oldest written 2 hours ago
    for (const [index, ageHours] of [2, 1, 0].entries()) {
      await sql(
        `insert into subscription.outbox (event_id, subject, payload, created_at, next_attempt_at)
         values ($1, 'subscription.changed', '{}'::jsonb, now() - make_interval(hours => $2::int), now() + interval '1 hour')`,
        [`obs-backlog-${index}`, ageHours],
      );
    }
    // and one parked row (given up on, 5 hours old): counted as parked, not as unpublished or in the age
    await sql(
      `insert into subscription.outbox (event_id, subject, payload, created_at, attempts, failed_at, last_error)
       values ('obs-backlog-parked', 'subscription.changed', '{}'::jsonb, now() - interval '5 hours', 10, now(), 'payload too large')`,
    );
    try {
      const after = await metricsText();
      expect(sample(after.text, 'cec_outbox_unpublished_rows', { schema: 'subscription' })).toBe(3);
      expect(sample(after.text, 'cec_outbox_parked_rows', { schema: 'subscription' })).toBe(1);
      const age = sample(after.text, 'cec_outbox_oldest_unpublished_age_seconds', { schema: 'subscription' }) ?? 0;
      expect(age).toBeGreaterThanOrEqual(7200);
      expect(age).toBeLessThan(7200 + 600);
    } finally {
      await sql(`delete from subscription.outbox where event_id like 'obs-backlog-%'`);
    }
    expect(sample((await metricsText()).text, 'cec_outbox_unpublished_rows', { schema: 'subscription' })).toBe(0);
  });

  it('#10 logs every line of one HTTP request carries its request id (echoed), and no line carries the token', async () => {
    const from = logs.raw.length;
    const requestId = 'obs-req-0001';
    const response = await fetch(`${baseUrl}/v1/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}`, 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ id: 'sub-obs-1', accountId: 'obs', productCode: 'basic-cec', quantity: 2, billingMode: 'pay_per_use', enabledAt: '2026-04-16T09:30:00+08:00' }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe(requestId);
    const ofRequest = await eventually('the request-completed line', () => {
      const lines = logs.lines(from).filter((line) => line['app'] === 'subscription' && line.requestId !== undefined);
      return lines.some((line) => line.msg === 'request completed') ? lines : undefined;
    });
    // the request's lines: the RPC to catalog (debug) and the completion line, all with its id
    expect(ofRequest.length).toBeGreaterThanOrEqual(2);
    for (const line of ofRequest) expect(line.requestId).toBe(requestId);
    expect(ofRequest.some((line) => String(line.msg).includes(`rpc request ${'catalog.product.get'}`))).toBe(true);
    const completed = ofRequest.find((line) => line.msg === 'request completed') as LogLine & { req: { headers: Record<string, string> } };
    expect(completed.req.headers['authorization']).toBe('[redacted]');
    // a bad token is not logged either
    await fetch(`${baseUrl}/v1/accounts/obs`, { headers: { authorization: 'Bearer obs-wrong-token-0123456789' } });
    await eventually('the 401 line', () => (logs.raw.some((line) => line.includes('"statusCode":401')) ? true : undefined));
    for (const line of logs.raw) {
      expect(line).not.toContain(TEST_OPERATOR_TOKEN);
      expect(line).not.toContain('obs-wrong-token-0123456789');
    }
    // an unsafe incoming id is replaced by a fresh one
    const unsafe = await fetch(`${baseUrl}/health`, { headers: { 'x-request-id': 'bad id\twith "quotes"' } });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('#10 logs a correlation id crosses from an HTTP request in subscription to catalog (RPC) and to metering\'s consumer of the subscription.changed it caused', async () => {
    const from = logs.raw.length;
    const correlationId = 'obs-corr-0002';
    const response = await fetch(`${baseUrl}/v1/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}`, 'content-type': 'application/json', 'x-correlation-id': correlationId },
      body: JSON.stringify({ id: 'sub-obs-2', accountId: 'obs', productCode: 'basic-cec', quantity: 3, billingMode: 'pay_per_use', enabledAt: '2026-04-16T09:30:00+08:00' }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-correlation-id')).toBe(correlationId);
    // the outbox row keeps it
    const [row] = await sql<{ correlation_id: string }>(`select correlation_id from subscription.outbox where payload->>'subscriptionId' = 'sub-obs-2'`);
    expect(row.correlation_id).toBe(correlationId);
    // catalog's request/reply handler logged with it
    const rpcLine = await eventually('catalog RPC line', () =>
      logs.lines(from).find((line) => line.context === 'Rpc' && String(line.msg).includes('catalog.product.get') && line.correlationId === correlationId),
    );
    expect(rpcLine).toBeDefined();
    // metering's consumer received the subscription.changed with the same correlation id
    const consumed = await eventually('metering consumer line', () =>
      logs
        .lines(from)
        .find(
          (line) =>
            line.context === 'JetStreamService' &&
            String(line.msg).startsWith(`${CONSUMERS.meteringSubscriptionChanges}: received ${SUBJECTS.subscriptionChanged}`) &&
            line.correlationId === correlationId,
        ),
    );
    // (its `app` field names whichever app's logger nestjs-pino keeps for lines outside an HTTP
    // request when several apps share one process; in production each app has its own process)
    expect(consumed.level).toBe('debug');
    // and the consumer counters saw it: delivered and acked
    const scraped = await eventually('acked counter', async () => {
      const text = (await metricsText()).text;
      const labels = { stream: STREAMS.billingEvents.name, consumer: CONSUMERS.meteringSubscriptionChanges };
      return (sample(text, 'cec_jetstream_messages_acked_total', labels) ?? 0) >= 2 ? text : undefined;
    });
    const labels = { stream: STREAMS.billingEvents.name, consumer: CONSUMERS.meteringSubscriptionChanges };
    expect(sample(scraped, 'cec_jetstream_messages_delivered_total', labels)).toBeGreaterThanOrEqual(2);
    expect(sample(scraped, 'cec_jetstream_consumer_pending', labels)).toBe(0);
    expect(sample(scraped, 'cec_jetstream_consumer_ack_pending', labels)).toBeDefined();
  });
});
