import type { NatsConnection } from 'nats';
import { STREAMS, SUBJECTS, UsageChangedEvent } from '@cec/contracts';
import { connectNats, publishJson, resetSchema, resetStream, RunningTestApp, sql, startTestApp, useTestEnvironment } from '@cec/testing';
import { MeteringAppModule } from '../app.module';
import { METERING_ORM } from '../metering.module-def';
import { eventually, ids, publishChanges, resetMeteringStreams } from './metering-test-support';

useTestEnvironment();

const description = { app: 'metering' as const, title: 'metering', description: 'test' };

/** `metering.usage.changed` events on METERING_EVENTS (ordered consumer) of one subscription. */
async function usageChanged(nc: NatsConnection, subscriptionId: string): Promise<UsageChangedEvent[]> {
  const consumer = await nc.jetstream().consumers.get(STREAMS.meteringEvents.name, { filterSubjects: SUBJECTS.usageChanged });
  const found: UsageChangedEvent[] = [];
  for (;;) {
    const messages = await consumer.fetch({ max_messages: 500, expires: 1000 });
    let seen = 0;
    for await (const message of messages) {
      seen += 1;
      const event = message.json<UsageChangedEvent>();
      if (event.subscriptionId === subscriptionId) found.push(event);
    }
    if (seen === 0) break;
  }
  return found;
}

describe('#10 prepaid guard: metering publishes metering.usage.changed (with the accountId) through its outbox', () => {
  let running: RunningTestApp;
  let nc: NatsConnection;

  beforeAll(async () => {
    await resetSchema(METERING_ORM);
    nc = await connectNats();
    await resetMeteringStreams(nc);
    await resetStream(nc, STREAMS.meteringEvents);
    running = await startTestApp(MeteringAppModule.register({}), description);
  });

  afterAll(async () => {
    await running?.close();
    await nc?.close();
  });

  it('#10 prepaid guard: a subscription change and a usage event each publish metering.usage.changed with the accountId, once', async () => {
    const account = ids('acc-changed');
    const subscription = ids('sub-changed');
    await publishChanges(nc, [{ subscriptionId: subscription, accountId: account, sequence: 1, effectiveAt: '2026-04-01T00:00:00+08:00', quantity: 2 }]);
    const first = await eventually(async () => {
      const found = await usageChanged(nc, subscription);
      return found.length === 1 ? found : undefined;
    }, 'the usage.changed event of the subscription change');
    expect(first[0]).toMatchObject({ accountId: account, subscriptionId: subscription, period: '2026-04', accountSequence: 1 });
    expect(first[0].id).toMatch(new RegExp(`^usage-changed-${first[0].revision}-[0-9a-f]{16}$`));

    // a usage event over NATS, and one over REST in another month
    const event = { id: ids('u-changed-1'), subscriptionId: subscription, quantity: 5, timestamp: '2026-04-10T09:00:00+08:00' };
    await publishJson(nc, SUBJECTS.usageReported, event, event.id);
    const second = await eventually(async () => {
      const found = await usageChanged(nc, subscription);
      return found.length === 2 ? found : undefined;
    }, 'the usage.changed event of the usage event');
    expect(second[1]).toMatchObject({ accountId: account, subscriptionId: subscription, period: '2026-04', accountSequence: 2 });
    expect(BigInt(second[1].revision)).toBeGreaterThan(BigInt(second[0].revision));

    const rest = await running.api.post('/v1/usage-events', { events: [{ id: ids('u-changed-2'), subscriptionId: subscription, quantity: 6, timestamp: '2026-05-02T09:00:00+08:00' }] });
    expect(rest.status).toBe(202);
    const third = await eventually(async () => {
      const found = await usageChanged(nc, subscription);
      return found.length === 3 ? found : undefined;
    }, 'the usage.changed event of the REST usage event');
    expect(third[2]).toMatchObject({ accountId: account, period: '2026-05', accountSequence: 3 });

    // one outbox row per timeline write, all relayed
    const [outbox] = await sql<{ n: string; unpublished: string }>(
      `select count(*)::text as n, count(*) filter (where published_at is null)::text as unpublished from metering.outbox where payload->>'subscriptionId' = $1`,
      [subscription],
    );
    expect(outbox).toEqual({ n: '3', unpublished: '0' });
  });
});
