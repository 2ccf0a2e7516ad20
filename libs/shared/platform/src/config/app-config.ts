import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export type AppName = 'catalog' | 'subscription' | 'metering' | 'billing';

export interface AppConfig {
  readonly app: AppName;
  readonly env: 'production' | 'development' | 'test';
  readonly port: number;
  readonly databaseUrl: string;
  /** The PostgreSQL schema the app owns. */
  readonly schema: string;
  readonly natsUrl: string;
  readonly operatorTokens: readonly string[];
  /** Where a generated operator token was written (null when tokens come from OPERATOR_TOKENS). */
  readonly operatorTokenFile: string | null;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly billingTestClock: boolean;
  readonly natsRequestTimeoutMs: number;
  /**
   * Port of the token-free metrics listener (METRICS_PORT + the app's offset, or <APP>_METRICS_PORT);
   * null (default) when the operator set neither METRICS_PORT, <APP>_METRICS_PORT nor METRICS_HOST.
   */
  readonly metricsPort: number | null;
  /** Address of the token-free metrics listener (METRICS_HOST, default 127.0.0.1). */
  readonly metricsHost: string;
  /** NATS_STREAM_REPLICAS: replicas of every JetStream stream the app creates (3 on a cluster). */
  readonly natsStreamReplicas: number;
}

export const DEFAULT_PORTS: Record<AppName, number> = { catalog: 3001, subscription: 3002, metering: 3003, billing: 3004 };
/** Default base port of the token-free metrics listeners: app n (catalog 0 .. billing 3) uses base + n. */
export const DEFAULT_METRICS_PORT = 9464;
const METRICS_PORT_OFFSETS: Record<AppName, number> = { catalog: 0, subscription: 1, metering: 2, billing: 3 };
export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/cec_billing';
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_OPERATOR_TOKEN_FILE = '.operator-token';

/** Thrown at boot when the environment is unusable; the message names the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function parsePort(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${name} must be a TCP port number (0-65535), got "${raw}"`);
  }
  return port;
}

function parseUrl(env: Env, name: string, fallback: string, protocols: string[]): string {
  const raw = env[name] || fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL such as ${fallback}, got "${raw}"`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')}, got "${raw}"`);
  }
  return raw;
}

/** NATS_URL may list several servers of one cluster, comma-separated; each must be a nats: or tls: URL. */
function parseNatsUrls(env: Env): string {
  const raw = env['NATS_URL'] || DEFAULT_NATS_URL;
  for (const server of natsServers(raw)) parseUrl({ NATS_URL: server }, 'NATS_URL', DEFAULT_NATS_URL, ['nats:', 'tls:']);
  return raw;
}

/** The servers of a NATS_URL value (one URL, or several comma-separated). */
export function natsServers(natsUrl: string): string[] {
  return natsUrl
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server.length > 0);
}

function parseBool(env: Env, name: string): boolean {
  const raw = (env[name] ?? '').toLowerCase();
  if (raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

/**
 * Operator tokens (docs/contract.md, Conventions): OPERATOR_TOKENS, comma-separated. Unset outside production:
 * one token is generated (or reused) in OPERATOR_TOKEN_FILE. Unset in production: refuse to start.
 */
export function resolveOperatorTokens(env: Env, nodeEnv: AppConfig['env']): { tokens: string[]; file: string | null } {
  const configured = (env['OPERATOR_TOKENS'] ?? '')
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token.length > 0);
  if (configured.length > 0) {
    const short = configured.find((token) => token.length < 16);
    if (short !== undefined) {
      throw new ConfigError('OPERATOR_TOKENS: every token must be at least 16 characters long');
    }
    return { tokens: configured, file: null };
  }
  if (nodeEnv === 'production') {
    throw new ConfigError('OPERATOR_TOKENS must be set in production (comma-separated bearer tokens); there is no default token');
  }
  const file = resolve(env['OPERATOR_TOKEN_FILE'] || DEFAULT_OPERATOR_TOKEN_FILE);
  if (existsSync(file)) {
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= 16) return { tokens: [token], file };
  }
  const token = randomBytes(24).toString('base64url');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { tokens: [token], file };
}

export function loadConfig(app: AppName, env: Env = process.env): AppConfig {
  const rawEnv = env['NODE_ENV'] ?? 'development';
  if (!['production', 'development', 'test'].includes(rawEnv)) {
    throw new ConfigError(`NODE_ENV must be production, development or test, got "${rawEnv}"`);
  }
  const nodeEnv = rawEnv as AppConfig['env'];
  const logLevel = (env['LOG_LEVEL'] ?? 'info') as AppConfig['logLevel'];
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be debug, info, warn or error, got "${env['LOG_LEVEL']}"`);
  }
  const { tokens, file } = resolveOperatorTokens(env, nodeEnv);
  const billingTestClock = parseBool(env, 'BILLING_TEST_CLOCK');
  if (billingTestClock && nodeEnv === 'production') {
    throw new ConfigError('BILLING_TEST_CLOCK must not be enabled in production');
  }
  const timeout = Number(env['NATS_REQUEST_TIMEOUT_MS'] ?? '30000');
  if (!Number.isInteger(timeout) || timeout <= 0) {
    throw new ConfigError('NATS_REQUEST_TIMEOUT_MS must be a positive whole number of milliseconds');
  }
  const replicas = Number(env['NATS_STREAM_REPLICAS'] || '1');
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) {
    throw new ConfigError(`NATS_STREAM_REPLICAS must be a whole number from 1 to 5, got "${env['NATS_STREAM_REPLICAS']}"`);
  }
  return {
    app,
    env: nodeEnv,
    ...metricsListenerConfig(app, env),
    port: parsePort(env, `${app.toUpperCase()}_PORT`, DEFAULT_PORTS[app]),
    databaseUrl: parseUrl(env, 'DATABASE_URL', DEFAULT_DATABASE_URL, ['postgresql:', 'postgres:']),
    schema: env[`${app.toUpperCase()}_DB_SCHEMA`] || app,
    natsUrl: parseNatsUrls(env),
    operatorTokens: tokens,
    operatorTokenFile: file,
    logLevel,
    billingTestClock,
    natsRequestTimeoutMs: timeout,
    natsStreamReplicas: replicas,
  };
}

/**
 * The token-free metrics listener is off unless the operator asks for it: METRICS_PORT is a base
 * (catalog +0, subscription +1, metering +2, billing +3), <APP>_METRICS_PORT an exact port, and
 * METRICS_HOST alone turns it on at the default base 9464. METRICS_HOST defaults to 127.0.0.1.
 */
function metricsListenerConfig(app: AppName, env: Env): { metricsPort: number | null; metricsHost: string } {
  const host = env['METRICS_HOST'] ?? '';
  const own = `${app.toUpperCase()}_METRICS_PORT`;
  let metricsPort: number | null = null;
  if ((env[own] ?? '') !== '') metricsPort = parsePort(env, own, 0);
  else if ((env['METRICS_PORT'] ?? '') !== '' || host !== '') {
    const base = parsePort(env, 'METRICS_PORT', DEFAULT_METRICS_PORT);
    metricsPort = base === 0 ? 0 : base + METRICS_PORT_OFFSETS[app];
    if (metricsPort > 65535) throw new ConfigError(`METRICS_PORT must leave room for 4 apps (at most 65532), got "${base}"`);
  }
  return { metricsPort, metricsHost: host === '' ? '127.0.0.1' : host };
}

/** Nest injection token of the AppConfig. */
export const APP_CONFIG = Symbol.for('cec.AppConfig');
