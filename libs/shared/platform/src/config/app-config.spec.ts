import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, natsServers } from './app-config';

const tokenFile = (): string => join(mkdtempSync(join(tmpdir(), 'cec-token-')), 'token');

describe('loadConfig: typed, validated, fails fast naming the variable', () => {
  it('defaults: ports 3001-3004, the local database and NATS, one schema per app', () => {
    const file = tokenFile();
    const config = loadConfig('billing', { OPERATOR_TOKEN_FILE: file });
    expect(config).toMatchObject({
      app: 'billing',
      env: 'development',
      port: 3004,
      schema: 'billing',
      databaseUrl: 'postgresql://postgres@127.0.0.1:5432/cec_billing',
      natsUrl: 'nats://127.0.0.1:4222',
      billingTestClock: false,
    });
    expect(loadConfig('catalog', { OPERATOR_TOKEN_FILE: file }).port).toBe(3001);
  });

  it('no built-in token: outside production one is generated into the token file and reused', () => {
    const file = tokenFile();
    const first = loadConfig('catalog', { OPERATOR_TOKEN_FILE: file });
    expect(first.operatorTokens).toHaveLength(1);
    expect(first.operatorTokens[0].length).toBeGreaterThanOrEqual(16);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.operatorTokens[0]);
    expect(loadConfig('billing', { OPERATOR_TOKEN_FILE: file }).operatorTokens).toEqual(first.operatorTokens);
    expect(loadConfig('catalog', { OPERATOR_TOKEN_FILE: tokenFile() }).operatorTokens).not.toEqual(first.operatorTokens);
  });

  it('OPERATOR_TOKENS is a comma-separated list; production refuses to start without it', () => {
    expect(loadConfig('catalog', { OPERATOR_TOKENS: 'aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb' }).operatorTokens).toEqual(['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb']);
    expect(() => loadConfig('catalog', { NODE_ENV: 'production' })).toThrow(/OPERATOR_TOKENS must be set in production/);
    expect(() => loadConfig('catalog', { OPERATOR_TOKENS: 'short' })).toThrow(/OPERATOR_TOKENS/);
  });

  it.each([
    [{ CATALOG_PORT: 'eighty' }, /CATALOG_PORT/],
    [{ CATALOG_PORT: '70000' }, /CATALOG_PORT/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL/],
    [{ NATS_URL: 'http://x' }, /NATS_URL/],
    [{ NODE_ENV: 'staging' }, /NODE_ENV/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ BILLING_TEST_CLOCK: 'yes please' }, /BILLING_TEST_CLOCK/],
    [{ NATS_REQUEST_TIMEOUT_MS: '-1' }, /NATS_REQUEST_TIMEOUT_MS/],
    [{ NATS_URL: 'nats://127.0.0.1:4222,http://x' }, /NATS_URL/],
    [{ NATS_STREAM_REPLICAS: '0' }, /NATS_STREAM_REPLICAS/],
    [{ NATS_STREAM_REPLICAS: 'three' }, /NATS_STREAM_REPLICAS/],
  ])('refuses %p', (env, message) => {
    expect(() => loadConfig('catalog', { OPERATOR_TOKENS: 'aaaaaaaaaaaaaaaa', ...env })).toThrow(ConfigError);
    expect(() => loadConfig('catalog', { OPERATOR_TOKENS: 'aaaaaaaaaaaaaaaa', ...env })).toThrow(message);
  });

  it('the billing test clock is refused in production', () => {
    expect(() => loadConfig('billing', { NODE_ENV: 'production', OPERATOR_TOKENS: 'aaaaaaaaaaaaaaaa', BILLING_TEST_CLOCK: 'true' })).toThrow(/BILLING_TEST_CLOCK/);
  });

  it('#10 metrics the token-free metrics listener is off unless METRICS_PORT, <APP>_METRICS_PORT or METRICS_HOST is set', () => {
    const base = { OPERATOR_TOKEN_FILE: tokenFile() };
    expect(loadConfig('catalog', base)).toMatchObject({ metricsPort: null, metricsHost: '127.0.0.1' });
    expect(loadConfig('catalog', { ...base, METRICS_PORT: '9500' }).metricsPort).toBe(9500);
    expect(loadConfig('billing', { ...base, METRICS_PORT: '9500' }).metricsPort).toBe(9503);
    expect(loadConfig('metering', { ...base, METRICS_HOST: '10.0.0.5' })).toMatchObject({ metricsPort: 9466, metricsHost: '10.0.0.5' });
    expect(loadConfig('subscription', { ...base, METRICS_PORT: '9500', SUBSCRIPTION_METRICS_PORT: '9999' }).metricsPort).toBe(9999);
    expect(() => loadConfig('catalog', { ...base, METRICS_PORT: 'abc' })).toThrow(/METRICS_PORT/);
    expect(() => loadConfig('billing', { ...base, METRICS_PORT: '65535' })).toThrow(/METRICS_PORT/);
  });

  it('#9 chaos: NATS_URL may list the servers of a cluster; NATS_STREAM_REPLICAS sets stream replicas (default 1)', () => {
    const one = loadConfig('metering', { OPERATOR_TOKENS: 'aaaaaaaaaaaaaaaa' });
    expect(one.natsStreamReplicas).toBe(1);
    expect(natsServers(one.natsUrl)).toEqual(['nats://127.0.0.1:4222']);
    const cluster = loadConfig('metering', {
      OPERATOR_TOKENS: 'aaaaaaaaaaaaaaaa',
      NATS_URL: 'nats://127.0.0.1:17251, nats://127.0.0.1:17252,nats://127.0.0.1:17253',
      NATS_STREAM_REPLICAS: '3',
    });
    expect(cluster.natsStreamReplicas).toBe(3);
    expect(natsServers(cluster.natsUrl)).toEqual(['nats://127.0.0.1:17251', 'nats://127.0.0.1:17252', 'nats://127.0.0.1:17253']);
  });
});
