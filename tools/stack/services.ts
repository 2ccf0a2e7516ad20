import { Client } from 'pg';
import { connect } from 'nats';
import { DEFAULT_DATABASE_URL, DEFAULT_NATS_URL } from '@cec/platform';

export const APPS = ['catalog', 'subscription', 'metering', 'billing'] as const;
export type StackApp = (typeof APPS)[number];

export const START_POSTGRES = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';
export const START_NATS =
  'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log';

/** Null when PostgreSQL answers at DATABASE_URL's server; otherwise what is wrong and how to fix it. */
export async function checkPostgres(databaseUrl = process.env['DATABASE_URL'] || DEFAULT_DATABASE_URL): Promise<string | null> {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return `PostgreSQL is not reachable at ${url.host} (${error instanceof Error ? error.message : String(error)}).\n  Start it with: ${START_POSTGRES}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Null when NATS answers at NATS_URL with JetStream enabled; otherwise what is wrong and how to fix it. */
export async function checkNats(natsUrl = process.env['NATS_URL'] || DEFAULT_NATS_URL): Promise<string | null> {
  try {
    const nc = await connect({ servers: natsUrl, timeout: 3000, reconnect: false });
    try {
      const jsm = await nc.jetstreamManager({ timeout: 3000 });
      await jsm.getAccountInfo();
      return null;
    } catch (error) {
      return `NATS at ${natsUrl} answers but JetStream is not enabled (${String(error)}).\n  Start nats-server with -js: ${START_NATS}`;
    } finally {
      await nc.close();
    }
  } catch (error) {
    return `NATS is not reachable at ${natsUrl} (${error instanceof Error ? error.message : String(error)}).\n  Start it with: ${START_NATS}`;
  }
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
