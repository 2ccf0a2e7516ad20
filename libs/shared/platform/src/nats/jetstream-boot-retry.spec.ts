import { JetStreamManager } from 'nats';
import { StreamDefinition } from '@cec/contracts';
import { ensureStreamAtBoot, isTransientJetStreamError, retryWhileTransient } from './jetstream.service';

const STREAM: StreamDefinition = { name: 'USAGE', subjects: ['usage.reported'], retention: 'limits', maxAgeDays: 7 };
const natsError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

/** A JetStream manager whose `streams.info` answers each call from `infoAnswers` in turn. */
function fakeManager(infoAnswers: Array<Error | 'exists'>): {
  jsm: JetStreamManager;
  added: unknown[];
  infoCalls: () => number;
} {
  let calls = 0;
  const added: unknown[] = [];
  const streams = {
    info: async () => {
      const answer = infoAnswers[Math.min(calls, infoAnswers.length - 1)];
      calls += 1;
      if (answer instanceof Error) throw answer;
      return { config: { subjects: [...STREAM.subjects] } };
    },
    add: async (config: unknown) => {
      added.push(config);
      return {};
    },
    update: async () => ({}),
  };
  return { jsm: { streams } as unknown as JetStreamManager, added, infoCalls: () => calls };
}

describe('ensureStreamAtBoot (#12 compiled apps boot faster than a new JetStream cluster settles)', () => {
  it('#12 tries again while JetStream times out or has no responder, then creates the stream', async () => {
    const { jsm, added, infoCalls } = fakeManager([
      natsError('TIMEOUT', 'timeout'),
      natsError('503', 'no responders'),
      new Error('stream not found'),
    ]);
    const retries: number[] = [];
    await ensureStreamAtBoot(jsm, STREAM, 3, { retryDelayMs: 1, onRetry: (_, attempt) => retries.push(attempt) });
    expect(retries).toEqual([1, 2]);
    expect(infoCalls()).toBe(3);
    expect(added).toEqual([expect.objectContaining({ name: 'USAGE', subjects: ['usage.reported'], num_replicas: 3 })]);
  });

  it('#12 gives up with the last error once the deadline has passed', async () => {
    const { jsm, added } = fakeManager([natsError('TIMEOUT', 'timeout')]);
    await expect(ensureStreamAtBoot(jsm, STREAM, 3, { deadlineMs: 20, retryDelayMs: 5 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
    expect(added).toEqual([]);
  });

  it('#12 throws any other error at once, without retrying', async () => {
    const { jsm, infoCalls } = fakeManager([natsError('10052', 'insufficient permissions')]);
    await expect(ensureStreamAtBoot(jsm, STREAM, 1, { retryDelayMs: 1 })).rejects.toThrow('insufficient permissions');
    expect(infoCalls()).toBe(1);
  });

  it('#12 only a timeout or a missing responder counts as transient', () => {
    expect(isTransientJetStreamError(natsError('TIMEOUT', 'timeout'))).toBe(true);
    expect(isTransientJetStreamError(natsError('503', 'no responders'))).toBe(true);
    expect(isTransientJetStreamError(new Error('stream not found'))).toBe(false);
    expect(isTransientJetStreamError('TIMEOUT')).toBe(false);
  });
});

describe('retryWhileTransient (#12 a consumer created at boot on a cluster still settling)', () => {
  it('#12 answers the step once it succeeds after transient failures', async () => {
    let calls = 0;
    const step = async (): Promise<string> => {
      calls += 1;
      if (calls < 3) throw natsError('TIMEOUT', 'timeout');
      return 'created';
    };
    await expect(retryWhileTransient(step, { retryDelayMs: 1 })).resolves.toBe('created');
    expect(calls).toBe(3);
  });
});
