import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ClientNats, ClientProxy, ServerNats } from '@nestjs/microservices';
import type { NatsConnection } from 'nats';
import { describeError } from './errors';
import { pingNats } from './jetstream.service';
import { NATS_RPC_CLIENT } from './rpc-client';

/** How often the monitor looks for a request/reply connection that closed, ms. */
export const NATS_WATCH_INTERVAL_MS = 2000;

/**
 * Keeps the request/reply connections alive and reports on them for `/health`:
 * - the RpcClient's ClientProxy (calls to other apps): connected at boot; if its connection ever
 *   closes (NestJS's ClientNats then keeps a rejected connection promise forever), it is closed
 *   and connected again;
 * - the NATS microservice server (this app's @MessagePattern handlers), attached by
 *   `configureApp`: if its connection closes, the server is closed and listens again (which
 *   subscribes every handler anew).
 * Every connection also retries forever by itself (NATS_RECONNECT_OPTIONS); this is the net
 * under that.
 *
 * It stops watching before the application shuts down: Nest closes the microservice server (its
 * `dispose`) before the `onApplicationShutdown` hooks, which can take seconds (JetStream drains,
 * the ORM closes). A monitor still watching then found the server's connection closed and listened
 * again, leaving a server of a closed app subscribed to the app's patterns, answering requests
 * with a closed database pool ("Unable to acquire a connection") beside the live replicas.
 */
@Injectable()
export class NatsConnectionMonitor implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(NatsConnectionMonitor.name);
  private server: ServerNats | null = null;
  private timer: NodeJS.Timeout | null = null;
  private watching: Promise<void> | null = null;
  private stopped = false;

  constructor(@Inject(NATS_RPC_CLIENT) private readonly client: ClientProxy) {}

  onApplicationBootstrap(): void {
    void this.connectClient();
    this.timer = setInterval(() => {
      if (this.watching || this.stopped) return;
      this.watching = this.watch().finally(() => {
        this.watching = null;
      });
    }, NATS_WATCH_INTERVAL_MS);
    this.timer.unref();
  }

  /** The microservice server of this app (its request/reply handlers). */
  attachRpcServer(server: ServerNats): void {
    this.server = server;
  }

  async rpcClientHealthy(timeoutMs = 2000): Promise<boolean> {
    return pingNats(this.clientConnection(), timeoutMs);
  }

  /** True when the app serves no request/reply patterns (no server attached) or its server answers. */
  async rpcServerHealthy(timeoutMs = 2000): Promise<boolean> {
    if (!this.server) return true;
    return pingNats(this.serverConnection(), timeoutMs);
  }

  hasRpcServer(): boolean {
    return this.server !== null;
  }

  /** Runs before Nest closes the server: from here on nothing connects or listens again. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.watching?.catch(() => undefined);
  }

  private async watch(): Promise<void> {
    const client = this.clientConnection();
    if (client === null) {
      await this.connectClient(); // never connected (NATS was down at boot): a pending attempt is reused
    } else if (client.isClosed()) {
      this.logger.error('request/reply client connection is closed; connecting again');
      await this.client.close().catch(() => undefined);
      await this.connectClient();
    }
    const server = this.server;
    const serverConnection = this.serverConnection();
    if (server && !this.stopped && (serverConnection === null || serverConnection.isClosed())) {
      this.logger.error('request/reply server connection is closed; listening again');
      await server.close().catch(() => undefined);
      if (this.stopped) return; // the app began to shut down while the old server closed
      await new Promise<void>((resolve) => {
        server.listen((error?: unknown) => {
          if (error) this.logger.warn(`request/reply server could not listen yet: ${describeError(error)}`);
          else this.logger.log('request/reply server listening again');
          resolve();
        });
      });
      // shut down while it was subscribing: a closed app serves nothing
      if (this.stopped) await server.close().catch(() => undefined);
    }
  }

  private async connectClient(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.client.connect();
    } catch (error) {
      this.logger.warn(`request/reply client could not connect yet: ${describeError(error)}`);
    }
  }

  private clientConnection(): NatsConnection | null {
    try {
      return (this.client as ClientNats).unwrap<NatsConnection>();
    } catch {
      return null; // not connected yet
    }
  }

  private serverConnection(): NatsConnection | null {
    try {
      return this.server?.unwrap<NatsConnection>() ?? null;
    } catch {
      return null; // not listening
    }
  }
}
