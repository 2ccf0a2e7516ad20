import { connect, JetStreamManager, NatsConnection } from 'nats';
import { ClientProxy, ClientProxyFactory, Transport } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import { PatternName, ensureStream } from '@cec/platform';
import { StreamDefinition, Subject } from '@cec/contracts';
import { TEST_NATS_URL } from './test-env';

export async function connectNats(): Promise<NatsConnection> {
  return connect({ servers: TEST_NATS_URL, name: 'test' });
}

/** Empties a stream and deletes its durable consumers so that a suite starts from nothing. */
export async function resetStream(nc: NatsConnection, stream: StreamDefinition): Promise<void> {
  const jsm: JetStreamManager = await nc.jetstreamManager();
  await ensureStream(jsm, stream);
  for await (const consumer of jsm.consumers.list(stream.name)) {
    await jsm.consumers.delete(stream.name, consumer.name);
  }
  await jsm.streams.purge(stream.name);
}

export async function publishJson(nc: NatsConnection, subject: Subject, payload: unknown, msgId?: string): Promise<void> {
  const js = nc.jetstream();
  await js.publish(subject, new TextEncoder().encode(typeof payload === 'string' ? payload : JSON.stringify(payload)), msgId ? { msgID: msgId } : undefined);
}

/** A NestJS NATS client, as another app would use, for request/reply tests. */
export class TestRpcClient {
  private readonly client: ClientProxy = ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: [TEST_NATS_URL] } });

  request<TReply>(pattern: PatternName, payload: unknown, ms = 10_000): Promise<TReply> {
    return firstValueFrom(this.client.send<TReply>(pattern, payload).pipe(timeout(ms)));
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
