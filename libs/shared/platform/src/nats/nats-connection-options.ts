import type { ConnectionOptions } from 'nats';
import { natsServers } from '../config/app-config';

/**
 * Reconnect settings shared by every NATS connection of an app (JetStream, request/reply client,
 * request/reply server). The client's defaults (10 attempts, 2 s apart) give up after ~20 s of
 * outage and never try again; here a connection retries forever, one attempt a second (plus up to
 * 0.5 s of jitter so that replicas do not reconnect in lockstep), and a half-open TCP connection
 * is noticed within `pingInterval * maxPingOut` (15 s). A connection that is closed anyway (e.g.
 * by a fatal server error) is recreated by the NatsConnectionMonitor / JetStreamService.
 */
export const NATS_RECONNECT_OPTIONS = {
  maxReconnectAttempts: -1,
  reconnectTimeWait: 1000,
  reconnectJitter: 500,
  pingInterval: 5000,
  maxPingOut: 3,
  waitOnFirstConnect: false,
} as const satisfies Partial<ConnectionOptions>;

/** Connection options of one of the app's NATS connections (`name` shows in the server's connz). */
export function natsConnectionOptions(natsUrl: string, name: string): ConnectionOptions {
  // NATS_URL may list the servers of a cluster, comma-separated
  // noAsyncTraces: no stack captured for every request (a JetStream publish, an ack with
  // confirmation) in case it fails; profiles of ingestion showed it as a leading cost
  return { servers: natsServers(natsUrl), name, noAsyncTraces: true, ...NATS_RECONNECT_OPTIONS };
}
