import type { BeforeApplicationShutdown } from '@nestjs/common';
import type { ClientProxy, ServerNats } from '@nestjs/microservices';
import { NATS_WATCH_INTERVAL_MS, NatsConnectionMonitor } from './nats-connection-monitor';

/**
 * A request/reply server whose connection the test closes, counting `listen` and `close` calls.
 * `closeGate`, when set, holds `close()` until the test releases it.
 */
class FakeServer {
  connectionClosed = false;
  listens = 0;
  closes = 0;
  closeGate: Promise<void> | null = null;

  unwrap<T>(): T {
    return { isClosed: () => this.connectionClosed } as unknown as T;
  }

  async close(): Promise<void> {
    this.closes += 1;
    if (this.closeGate) await this.closeGate;
    this.connectionClosed = true;
  }

  listen(callback: (error?: unknown) => void): void {
    this.listens += 1;
    this.connectionClosed = false;
    callback();
  }
}

function fakeClient(): ClientProxy {
  const connection = { isClosed: () => false };
  return { connect: async () => undefined, close: async () => undefined, unwrap: () => connection } as unknown as ClientProxy;
}

/** What Nest's close() does first: each provider's beforeApplicationShutdown hook, where it has one. */
async function beforeShutdownHook(provider: object): Promise<void> {
  await (provider as Partial<BeforeApplicationShutdown>).beforeApplicationShutdown?.();
}

/** Lets the monitor's interval fire `times` times and every promise it started settle. */
async function tick(times = 1): Promise<void> {
  for (let index = 0; index < times; index += 1) {
    await jest.advanceTimersByTimeAsync(NATS_WATCH_INTERVAL_MS);
  }
}

describe('NatsConnectionMonitor', () => {
  let monitor: NatsConnectionMonitor;
  let server: FakeServer;

  beforeEach(() => {
    jest.useFakeTimers();
    monitor = new NatsConnectionMonitor(fakeClient());
    server = new FakeServer();
    monitor.attachRpcServer(server as unknown as ServerNats);
    monitor.onApplicationBootstrap();
  });

  afterEach(async () => {
    await monitor.onApplicationShutdown();
    jest.useRealTimers();
  });

  it('#9.2 a running app whose server connection closed listens again (the net under reconnects)', async () => {
    server.connectionClosed = true;
    await tick();
    expect(server.listens).toBe(1);
    expect(server.connectionClosed).toBe(false);
  });

  it('#11 CI flake: a closing app never listens again once Nest has closed its server (no server of a closed app left answering with a closed pool)', async () => {
    // Nest's close(): beforeApplicationShutdown hooks, then dispose() closes the microservice
    // server, then the onApplicationShutdown hooks, which can take seconds (JetStream drain, ORM)
    await beforeShutdownHook(monitor);
    await server.close();
    await tick(5);
    expect(server.listens).toBe(0);
    expect(server.connectionClosed).toBe(true);
  });

  it('#11 CI flake: a re-listen in flight when shutdown begins ends closed', async () => {
    let release: () => void = () => undefined;
    server.closeGate = new Promise<void>((resolve) => {
      release = resolve;
    });
    server.connectionClosed = true;
    await tick(); // the watch starts and waits in server.close()
    expect(server.closes).toBe(1);
    const shutdown = beforeShutdownHook(monitor); // waits for the watch in flight
    server.closeGate = null;
    release();
    await shutdown;
    expect(server.listens).toBe(0);
    expect(server.connectionClosed).toBe(true);
    await tick(5);
    expect(server.listens).toBe(0);
  });
});
