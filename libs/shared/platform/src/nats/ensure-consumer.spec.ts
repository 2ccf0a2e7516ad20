import { AckPolicy, ConsumerConfig, ConsumerInfo, ConsumerUpdateConfig, DeliverPolicy, JetStreamManager, nanos } from 'nats';
import { ensureDurableConsumer } from './jetstream.service';

/** A JetStream manager that answers `consumers.add` as NATS >= 2.10 does: a create of an existing durable with another config is refused. */
function server210(existing: Partial<ConsumerConfig> | null) {
  let config: Partial<ConsumerConfig> | null = existing;
  const calls: string[] = [];
  const consumers = {
    add: async (_stream: string, wanted: Partial<ConsumerConfig>) => {
      calls.push('add');
      if (config && JSON.stringify({ ...config, ...wanted }) !== JSON.stringify(config)) {
        throw Object.assign(new Error('consumer already exists'), { api_error: { code: 400, err_code: 10148, description: 'consumer already exists' } });
      }
      config = config ?? wanted;
      return { config } as ConsumerInfo;
    },
    info: async () => {
      calls.push('info');
      return { config } as ConsumerInfo;
    },
    update: async (_stream: string, _durable: string, changes: Partial<ConsumerUpdateConfig>) => {
      calls.push('update');
      config = { ...config, ...changes };
      return { config } as ConsumerInfo;
    },
  };
  return { jsm: { consumers } as unknown as Pick<JetStreamManager, 'consumers'>, calls, config: () => config };
}

const wanted = { filter_subject: 'a.b', ack_wait: nanos(5000), max_ack_pending: 123, max_deliver: -1 };

describe('#10 review consumer update: ensureDurableConsumer on NATS >= 2.10', () => {
  it('#10 review consumer update: an existing durable with a changed config is updated (the create is refused, not ignored)', async () => {
    const server = server210({ durable_name: 'd', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subject: 'a.b', ack_wait: nanos(30_000), max_ack_pending: 1000, max_deliver: -1 });
    expect(await ensureDurableConsumer(server.jsm, 'S', 'd', wanted)).toBe(true);
    expect(server.calls).toEqual(['add', 'info', 'update']);
    expect(server.config()).toMatchObject({ ack_wait: nanos(5000), max_ack_pending: 123 });
  });

  it('#10 review consumer update: a new durable is created, an unchanged one left alone', async () => {
    const fresh = server210(null);
    expect(await ensureDurableConsumer(fresh.jsm, 'S', 'd', wanted)).toBe(false);
    expect(fresh.calls).toEqual(['add']);
    expect(await ensureDurableConsumer(fresh.jsm, 'S', 'd', wanted)).toBe(false);
    expect(fresh.calls).toEqual(['add', 'add']);
  });

  it('#10 review consumer update: any other refusal of the create is thrown', async () => {
    const jsm = { consumers: { add: async () => Promise.reject(new Error('stream not found')) } } as unknown as Pick<JetStreamManager, 'consumers'>;
    await expect(ensureDurableConsumer(jsm, 'S', 'd', wanted)).rejects.toThrow('stream not found');
  });
});
