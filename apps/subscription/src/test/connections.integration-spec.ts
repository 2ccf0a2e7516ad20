import { rmSync } from 'node:fs';
import type { NatsConnection } from 'nats';
import { ClientNats, ServerNats } from '@nestjs/microservices';
import { JetStreamService, NATS_RPC_CLIENT, NatsConnectionMonitor } from '@cec/platform';
import { CLOCK, FakeClock } from '@cec/kernel';
import {
  PrivateNatsServer,
  resetSchema,
  RunningTestApp,
  sql,
  startTestApp,
  TcpProxy,
  TEST_DATABASE_URL,
  useTestEnvironment,
} from '@cec/testing';
// The reconnect test needs the real catalog on the other end of request/reply (its server side
// must come back too), so this suite boots the catalog app beside subscription.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { CatalogAppModule } from '../../../catalog/src/app.module';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { CATALOG_ORM } from '../../../catalog/src/catalog.module-def';
import { SubscriptionAppModule } from '../app.module';
import { SUBSCRIPTION_ORM } from '../subscription.module-def';

useTestEnvironment();

// private resources of this suite (16400-16499 belong to this worktree's helper)
const NATS_PORT = 16440;
const PROXY_PORT = 16441;
const STORE_DIR = '/tmp/cec-conn-test-nats';

/** Polls until `probe` returns true; throws naming `what` after `timeoutMs`. */
async function eventually(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('#9.2 every connection comes back (private nats-server, PostgreSQL behind a relay)', () => {
  const nats = new PrivateNatsServer(NATS_PORT, STORE_DIR);
  const proxy = new TcpProxy(PROXY_PORT, Number(new URL(TEST_DATABASE_URL).port || 5432), new URL(TEST_DATABASE_URL).hostname);
  const clock = new FakeClock('2026-04-16T01:00:00Z');
  let catalog: RunningTestApp;
  let subscription: RunningTestApp;
  let counter = 0;

  const proxiedDatabaseUrl = (() => {
    const url = new URL(TEST_DATABASE_URL);
    url.hostname = '127.0.0.1';
    url.port = String(PROXY_PORT);
    return url.toString();
  })();

  beforeAll(async () => {
    rmSync(STORE_DIR, { recursive: true, force: true });
    await nats.start();
    await proxy.start();
    await resetSchema(CATALOG_ORM);
    await resetSchema(SUBSCRIPTION_ORM);
    catalog = await startTestApp(CatalogAppModule.register({ config: { natsUrl: nats.url } }), { app: 'catalog', title: 'catalog', description: 'test' });
    subscription = await startTestApp(
      SubscriptionAppModule.register({ clock: { provide: CLOCK, useValue: clock }, config: { natsUrl: nats.url, databaseUrl: proxiedDatabaseUrl, natsRequestTimeoutMs: 3000 } }),
      { app: 'subscription', title: 'subscription', description: 'test' },
    );
    const product = await catalog.api.post('/v1/products', { code: 'basic-cec', name: 'Basic CEC', unit: 'agent', features: ['softphone'], billingModes: ['pay_per_use'] });
    expect(product.status).toBe(201);
    expect((await subscription.api.post('/v1/accounts', { id: 'conn', name: 'Connections' })).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await subscription?.close();
    await catalog?.close();
    await nats.kill();
    await proxy.stop();
    rmSync(STORE_DIR, { recursive: true, force: true });
  });

  /** A write that needs subscription -> catalog request/reply (catalog.product.get). */
  async function createSubscription(): Promise<number> {
    counter += 1;
    const response = await subscription.api.post('/v1/subscriptions', {
      id: `sub-conn-${counter}`,
      accountId: 'conn',
      productCode: 'basic-cec',
      quantity: 1,
      billingMode: 'pay_per_use',
      enabledAt: '2026-04-16T09:30:00+08:00',
    });
    return response.status;
  }

  async function health(app: RunningTestApp): Promise<{ status: number; down: string[] }> {
    const response = await app.api.withToken(null).get<{ error?: Record<string, unknown> }>('/health');
    return { status: response.status, down: Object.keys(response.body?.error ?? {}).sort() };
  }

  async function bothHealthy(): Promise<boolean> {
    return (await health(catalog)).status === 200 && (await health(subscription)).status === 200;
  }

  /** Kills NATS, checks both apps say 503 naming every NATS connection, waits, restarts it. */
  async function natsOutage(outageMs: number): Promise<void> {
    await nats.kill();
    const started = Date.now();
    for (const app of [catalog, subscription]) {
      const during = await health(app);
      expect(during.status).toBe(503);
      expect(during.down).toEqual(['nats', 'natsRpcClient', 'natsRpcServer']);
    }
    expect(await createSubscription()).toBe(503); // CATALOG_UNAVAILABLE while NATS is away
    await sleep(Math.max(0, outageMs - (Date.now() - started)));
    if (outageMs > 35_000) {
      // still reported down, not given up on silently
      expect((await health(subscription)).status).toBe(503);
    }
    await nats.start(); // same store directory
    await eventually('both apps to report /health 200 after NATS came back', bothHealthy, 20_000);
  }

  it('#9.2 request/reply works and /health says 200 before any outage', async () => {
    expect(await bothHealthy()).toBe(true);
    expect(await createSubscription()).toBe(201);
  });

  it('#9.2 after a 1 s NATS outage request/reply works again and /health goes 503 -> 200', async () => {
    await natsOutage(1000);
    expect(await createSubscription()).toBe(201);
  }, 60_000);

  it('#9.2 after a 40 s NATS outage (past the client default of 10 attempts x 2 s) every app reconnects by itself', async () => {
    await natsOutage(40_000);
    expect(await createSubscription()).toBe(201);
    // the subscription.changed events written meanwhile reach JetStream through the outbox
    await eventually(
      'the outbox to be relayed',
      async () => Number((await sql<{ n: string }>('select count(*)::text as n from subscription.outbox where published_at is null'))[0].n) === 0,
      20_000,
    );
  }, 120_000);

  it('#9.2 a connection that closed for good (as one that gave up reconnecting) is recreated', async () => {
    const rpcClient = subscription.app.get<ClientNats>(NATS_RPC_CLIENT);
    await rpcClient.unwrap<NatsConnection>().close();
    await (catalog.app.get(NatsConnectionMonitor) as unknown as { server: ServerNats }).server.unwrap<NatsConnection>().close();
    await subscription.app.get(JetStreamService).nc.close();
    await eventually('both apps to report /health 200 with new connections', bothHealthy, 20_000);
    expect(rpcClient.unwrap<NatsConnection>().isClosed()).toBe(false);
    expect(await createSubscription()).toBe(201);
    await eventually(
      'the outbox to be relayed on the new JetStream connection',
      async () => Number((await sql<{ n: string }>('select count(*)::text as n from subscription.outbox where published_at is null'))[0].n) === 0,
      20_000,
    );
  }, 60_000);

  it('#9.2 database: terminated backends are replaced and the next request succeeds', async () => {
    const before = await sql<{ n: string }>(
      `select count(*)::text as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
    );
    expect(Number(before[0].n)).toBeGreaterThan(0);
    // mid-flight: requests are running while their backends are terminated (they may fail, as a
    // 503 DATABASE_UNAVAILABLE the client may retry, never a 500)
    const inFlight = Array.from({ length: 8 }, () => subscription.api.get('/v1/accounts/conn'));
    await sql(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`);
    const statuses = (await Promise.all(inFlight)).map((response) => response.status);
    expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
    // the pool drops the dead connections and opens new ones: the next requests succeed
    expect((await subscription.api.get('/v1/accounts/conn')).status).toBe(200);
    expect(await createSubscription()).toBe(201);
    expect((await health(subscription)).status).toBe(200);
  });

  it('#9.2 database: /health says 503 while PostgreSQL is unreachable and 200 (with working requests) once it is back', async () => {
    await proxy.stop();
    const during = await health(subscription);
    expect(during.status).toBe(503);
    expect(during.down).toEqual(['database']);
    await proxy.start();
    await eventually('subscription /health 200 after the database came back', async () => (await health(subscription)).status === 200, 20_000);
    expect(await createSubscription()).toBe(201);
  }, 60_000);
});
