import { Client } from 'pg';
import { connect } from 'nats';
import { DEFAULT_DATABASE_URL, DEFAULT_NATS_URL } from '@cec/platform';

export const APPS = ['catalog', 'subscription', 'metering', 'billing'] as const;
export type StackApp = (typeof APPS)[number];

/**
 * #11: V8 old-space caps by app (MiB), overridable with <APP>_MAX_OLD_SPACE_MB (0: V8's default).
 * Billing's run and metering's drain hold far less than this; uncapped, V8 let their heaps grow
 * past the 300 MB budget of an app with mostly garbage (billing ~400 MiB during a run, metering
 * 322-343 MiB draining 1-5M events). Capped, metering drained 1,000,000 events at the same ratio
 * to the baseline with a peak RSS of 191 MiB (BENCHMARKS.md, sections 1 and 2).
 */
export const DEFAULT_MAX_OLD_SPACE_MB: Partial<Record<StackApp, number>> = { billing: 192, metering: 192 };

export const START_POSTGRES = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';
export const START_NATS =
  'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log';

/**
 * What a probe of a service found: `up` (it answers as the apps need), `absent` (nothing listens
 * at a loopback address: `npm start` may start one there) or `broken` (anything else: a remote
 * host that does not answer, a server that refuses us, NATS without JetStream), with the reason.
 */
export type ServiceProbe = { state: 'up' } | { state: 'absent' | 'broken'; reason: string };

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** True for a host name this machine answers itself (where `npm start` can start a server). */
export function isLoopback(hostname: string): boolean {
  return LOOPBACK.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(messageOf).join('; ');
  return error instanceof Error ? error.message : String(error);
}

/** ECONNREFUSED, also inside the AggregateError node's happy-eyeballs connect throws for `localhost`. */
function refused(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.length > 0 && error.errors.every(refused);
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ECONNREFUSED';
}

/** Probes the PostgreSQL server of DATABASE_URL (its `postgres` database). */
export async function probePostgres(
  databaseUrl = process.env['DATABASE_URL'] || DEFAULT_DATABASE_URL,
): Promise<ServiceProbe> {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return { state: 'up' };
  } catch (error) {
    const reason = `PostgreSQL is not reachable at ${url.host} (${messageOf(error)})`;
    return { state: refused(error) && isLoopback(url.hostname) ? 'absent' : 'broken', reason };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Probes NATS_URL: the server must answer and have JetStream enabled. */
export async function probeNats(natsUrl = process.env['NATS_URL'] || DEFAULT_NATS_URL): Promise<ServiceProbe> {
  try {
    const nc = await connect({ servers: natsUrl, timeout: 3000, reconnect: false });
    try {
      const jsm = await nc.jetstreamManager({ timeout: 3000 });
      await jsm.getAccountInfo();
      return { state: 'up' };
    } catch (error) {
      return {
        state: 'broken',
        reason: `NATS at ${natsUrl} answers but JetStream is not enabled (${messageOf(error)}); nats-server needs -js`,
      };
    } finally {
      await nc.close();
    }
  } catch (error) {
    const reason = `NATS is not reachable at ${natsUrl} (${messageOf(error)})`;
    const servers = natsUrl.split(',');
    const single = servers.length === 1 ? new URL(servers[0].trim()) : null;
    const nothingListens = (error as { code?: unknown }).code === 'CONNECTION_REFUSED';
    return { state: nothingListens && single !== null && isLoopback(single.hostname) ? 'absent' : 'broken', reason };
  }
}

/** Null when PostgreSQL answers at DATABASE_URL's server; otherwise what is wrong and how to fix it. */
export async function checkPostgres(databaseUrl?: string): Promise<string | null> {
  const probe = await probePostgres(databaseUrl);
  return probe.state === 'up' ? null : `${probe.reason}.\n  Start it with: ${START_POSTGRES}`;
}

/** Null when NATS answers at NATS_URL with JetStream enabled; otherwise what is wrong and how to fix it. */
export async function checkNats(natsUrl?: string): Promise<string | null> {
  const probe = await probeNats(natsUrl);
  return probe.state === 'up' ? null : `${probe.reason}.\n  Start it with: ${START_NATS}`;
}

/** Polls GET /health of an app until it answers 200, or gives up after `timeoutMs`. */
export async function waitHealthy(port: number, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      if (response.status === 200) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return false;
}
