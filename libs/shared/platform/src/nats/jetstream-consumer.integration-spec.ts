import { AckPolicy, connect, DeliverPolicy, JsMsg, nanos, NatsConnection } from 'nats';
import type { StreamDefinition, Subject } from '@cec/contracts';
import { AppConfig, loadConfig } from '../config/app-config';
import { ConsumerSpec, DecodedMessage, decodeJson, JetStreamService } from './jetstream.service';

// a stream of this suite's own on the test NATS server (NATS_URL), never a platform stream
const SUBJECT = 'cec.platform-test.consumer' as unknown as Subject;
const STREAM: StreamDefinition = { name: 'CEC_PLATFORM_TEST', subjects: [SUBJECT], retention: 'limits', maxAgeDays: 1 };
const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

interface Body {
  n: number;
  bad?: boolean;
}

async function eventually(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('#9.6 JetStreamService consumers: short ack wait with in_progress, bounded redelivery, terminal callback', () => {
  let service: JetStreamService;
  let nc: NatsConnection;
  let durableCounter = 0;

  beforeAll(async () => {
    process.env['OPERATOR_TOKENS'] = 'platform-test-token-0123456789';
    const config: AppConfig = { ...loadConfig('metering'), natsUrl: NATS_URL };
    service = new JetStreamService(config, [STREAM]);
    await service.onModuleInit();
    nc = await connect({ servers: NATS_URL });
    await (await nc.jetstreamManager()).streams.purge(STREAM.name);
  });

  afterAll(async () => {
    await service.onApplicationShutdown();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(STREAM.name).catch(() => undefined);
    await nc.close();
  });

  async function publish(bodies: Body[]): Promise<void> {
    for (const body of bodies) await service.publish(SUBJECT, body, `platform-test-${durableCounter}-${body.n}`);
  }

  function spec(overrides: Partial<ConsumerSpec<Body>> & Pick<ConsumerSpec<Body>, 'handle'>): ConsumerSpec<Body> {
    durableCounter += 1;
    return {
      stream: STREAM.name,
      durable: `platform-test-${durableCounter}`,
      filterSubject: SUBJECT,
      batchSize: 10,
      maxWaitMs: 1000,
      decode: (data) => decodeJson(data) as Body,
      ...overrides,
    };
  }

  async function freshStream(): Promise<void> {
    await (await nc.jetstreamManager()).streams.purge(STREAM.name);
  }

  it('#9.6 a batch that takes longer than the (short) ack wait is not redelivered while its handler works (in_progress)', async () => {
    await freshStream();
    const deliveries: number[] = [];
    let done = false;
    await service.startConsumer(
      spec({
        ackWaitMs: 3000, // short, yet not so short that a loaded machine misses it before the first heartbeat
        handle: async (batch) => {
          deliveries.push(...batch.map((entry) => entry.raw.info.deliveryCount));
          await new Promise((resolve) => setTimeout(resolve, 10_000)); // over 3 x the ack wait
          done = true;
        },
      }),
    );
    await publish([{ n: 1 }]);
    await eventually('the slow batch to finish', () => done, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 3500)); // past one more ack wait: nothing comes back
    expect(deliveries).toEqual([1]);
  }, 60_000);

  it('#9.6 batches held by dead instances do not stop a restarted one: its batch is taken at once, theirs after the ack wait', async () => {
    await freshStream();
    const consumerSpec = spec({ ackWaitMs: 2000, batchSize: 5, maxAckPending: 25, handle: async () => undefined });
    const order: number[] = [];
    consumerSpec.handle = async (batch: DecodedMessage<Body>[]) => {
      for (const entry of batch) if (entry.ok) order.push(entry.value.n);
    };
    // the consumer exists (as after an earlier run); four instances each fetched a batch and died
    const jsm = await nc.jetstreamManager();
    await jsm.consumers.add(STREAM.name, {
      durable_name: consumerSpec.durable,
      ack_policy: 'explicit' as never,
      filter_subject: SUBJECT,
      ack_wait: 2_000_000_000,
      max_ack_pending: 25,
    });
    await publish(Array.from({ length: 20 }, (_, index) => ({ n: index + 1 })));
    const dead = await nc.jetstream().consumers.get(STREAM.name, consumerSpec.durable);
    const held: JsMsg[] = [];
    for (let instance = 0; instance < 4; instance += 1) {
      for await (const message of await dead.fetch({ max_messages: 5, expires: 1000 })) held.push(message);
    }
    expect(held).toHaveLength(20);
    // the restarted instance, and new usage
    await service.startConsumer(consumerSpec);
    await publish([{ n: 100 }]);
    await eventually('every message to be handled', () => new Set(order).size === 21);
    // the new message went first: the dead instances' 20 unacked messages left room (max_ack_pending 25)
    expect(order[0]).toBe(100);
    expect([...new Set(order)].sort((a, b) => a - b)).toEqual([...Array.from({ length: 20 }, (_, index) => index + 1), 100]);
  });

  it('#9.6 a failing message is redelivered with backoff, then ends once in onTerminalFailure after maxDeliver', async () => {
    await freshStream();
    const attempts: number[] = [];
    const terminal: Array<{ deliveries: number; error: string }> = [];
    await service.startConsumer(
      spec({
        maxDeliver: 3,
        backoffMs: [100, 200],
        ackWaitMs: 5000,
        handle: async (batch) => {
          attempts.push(...batch.map((entry) => entry.raw.info.deliveryCount));
          throw Object.assign(new Error('metering answered too much'), { code: 'REPLY_TOO_LARGE' });
        },
        onTerminalFailure: async (message: JsMsg, error: unknown) => {
          terminal.push({ deliveries: message.info.deliveryCount, error: (error as Error).message });
        },
      }),
    );
    await publish([{ n: 1 }]);
    await eventually('the terminal callback', () => terminal.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // nothing is delivered after the end
    expect(attempts).toEqual([1, 2, 3]);
    expect(terminal).toEqual([{ deliveries: 3, error: 'metering answered too much' }]);
  });

  it('#9.6 a permanent error ends only the message at fault: the others of its batch are handled', async () => {
    await freshStream();
    const handled: number[] = [];
    const terminal: number[] = [];
    await service.startConsumer(
      spec({
        maxDeliver: 5,
        isPermanent: (error) => (error as { code?: string }).code === 'BAD_DATA',
        handle: async (batch) => {
          if (batch.some((entry) => entry.ok && entry.value.bad)) throw Object.assign(new Error('bad data'), { code: 'BAD_DATA' });
          for (const entry of batch) if (entry.ok) handled.push(entry.value.n);
        },
        onTerminalFailure: async (message: JsMsg) => {
          terminal.push((decodeJson(message.data) as Body).n);
        },
      }),
    );
    await publish([{ n: 1 }, { n: 2, bad: true }, { n: 3 }]);
    await eventually('every message to be settled', () => handled.length + terminal.length === 3);
    expect(handled.sort()).toEqual([1, 3]);
    expect(terminal).toEqual([2]);
  });

  it('#10 review consumer update: an existing durable whose configuration changed gets the new one (ack wait, ack-pending bound), and consumes', async () => {
    await freshStream();
    const consumer = spec({ ackWaitMs: 5000, maxAckPending: 123, handle: async () => undefined });
    const jsm = await nc.jetstreamManager();
    // the durable as an earlier release created it
    await jsm.consumers.add(STREAM.name, {
      durable_name: consumer.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: SUBJECT,
      ack_wait: nanos(30_000),
      max_ack_pending: 1000,
      max_deliver: -1,
    });
    const handled: number[] = [];
    await service.startConsumer({ ...consumer, handle: async (batch) => void handled.push(...batch.map((entry) => (entry.ok ? entry.value.n : -1))) });
    const info = await jsm.consumers.info(STREAM.name, consumer.durable);
    expect({ ackWait: info.config.ack_wait, maxAckPending: info.config.max_ack_pending }).toEqual({ ackWait: nanos(5000), maxAckPending: 123 });
    await publish([{ n: 1 }]);
    await eventually('the message handled', () => handled.includes(1));
  });

  it('#11 concurrency: several fetch loops hand over batches that are handled side by side; each message is handled and acked once', async () => {
    await freshStream();
    const durableSpec = spec({ batchSize: 5, concurrency: 3, handle: async () => undefined });
    await publish(Array.from({ length: 30 }, (_, n) => ({ n })));
    const handled: number[] = [];
    let active = 0;
    let mostActive = 0;
    let release: () => void = () => undefined;
    const allThreeIn = new Promise<void>((resolve) => (release = resolve));
    await service.startConsumer({
      ...durableSpec,
      handle: async (batch) => {
        active += 1;
        mostActive = Math.max(mostActive, active);
        if (active === 3) release();
        // the first batches wait for each other: they can only all get here if fetched side by side
        await Promise.race([allThreeIn, new Promise((resolve) => setTimeout(resolve, 5000))]);
        handled.push(...batch.map((entry) => (entry.ok ? entry.value.n : -1)));
        active -= 1;
      },
    });
    await eventually('all 30 handled', () => handled.length >= 30);
    const jsm = await nc.jetstreamManager();
    await eventually('all acked', async () => (await jsm.consumers.info(STREAM.name, durableSpec.durable)).num_ack_pending === 0);
    expect(mostActive).toBe(3);
    expect([...handled].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, n) => n));
  });
});
