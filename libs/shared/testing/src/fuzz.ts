import type { INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import { Client } from 'pg';
import { TEST_DATABASE_URL, TEST_OPERATOR_TOKEN } from './test-env';
import { RegisteredRoute, registeredRoutes } from './route-probe';

/** Methods a client sends with a body or an id. */
const SENDABLE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Field names the four apps read, so that generated bodies and queries hit real fields too. */
const FIELD_NAMES = [
  'id', 'name', 'code', 'unit', 'features', 'billingModes', 'unitPrice', 'currency', 'effectiveFrom', 'label', 'accountId',
  'productCode', 'quantity', 'billingMode', 'enabledAt', 'effectiveAt', 'requestedAt', 'events', 'subscriptionId', 'timestamp',
  'period', 'limit', 'at', 'rate', 'effectiveTo', 'amount', 'reference', 'now',
];
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', 'a.b', '$where'];

/** Strings that broke this platform once, or break platforms like it (#8.2, #8.3, #8.4, #8.5). */
const HOSTILE_STRINGS = [
  '', ' ', 'a\u0000b', '\u0000', 'x\u0007y', '\u001b[31mred', 'tab\there', 'line\nbreak', '\u007f', '\u0085', 'é日本🙂', '\ud800',
  '\u202eevil', '__proto__', 'constructor', '0000-01-01', '0001-01-01', '0001-01-01T00:00:00+08:00', '0000-01-01T00:00:00Z',
  '2026-01-01T00:00:00+25:00', '2026-01-01T00:00:00-99:99', '2026-01-01T00:00:00+14:01', '99999-01-01', '+099999-01-01T00:00:00Z',
  '9999-12-31T23:59:59-14:00', '1969-12-31', '2026-02-30', '2026-13', '2026-00', '0000-00', '-1', '1e309', 'NaN', 'Infinity', '9'.repeat(400),
  '1.005', '-0.00', '0.99999', "' or 1=1 --", '../../etc/passwd', '%00', '{}', '[]', 'null', 'true', 'basic-cec', 'acme', '2025-01',
  '2026-04-16T09:30:00+08:00', '2026-01-01', '10.00', '0.15', 'pay_per_use', 'USD', 'agent', 'x'.repeat(129), 'x'.repeat(201),
];
const HUGE_STRING = 'x'.repeat(300_000);
const HOSTILE_NUMBERS = [-1, 0, -0, 1, 1.5, 0.1, 1e21, 1e308, -1e308, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 1_000_000, 1_000_001, 2 ** 31, 2 ** 53, 1_000_000_000];

const hostileString = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 1, arbitrary: fc.constant(HUGE_STRING) },
);
const hostileNumber = fc.oneof(fc.constantFrom(...HOSTILE_NUMBERS), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
const hostileKey = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...FIELD_NAMES) }, { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) });

const { value: hostileValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(hostileKey, tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
}));

/** A request body: its text and content type (undefined: no body). */
export interface FuzzBody {
  text?: string;
  contentType?: string;
  shape: string;
}

const deep = (depth: number, open: string, close: string, inner = '1'): string => `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

const hostileBody: fc.Arbitrary<FuzzBody> = fc.oneof(
  { weight: 8, arbitrary: fc.dictionary(hostileKey, hostileValue, { maxKeys: 6, noNullPrototype: true }).map((value) => ({ text: JSON.stringify(value), contentType: 'application/json', shape: 'object' })) },
  { weight: 2, arbitrary: hostileValue.map((value) => ({ text: JSON.stringify(value) ?? 'null', contentType: 'application/json', shape: 'json value' })) },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.dictionary(hostileKey, hostileValue, { maxKeys: 5, noNullPrototype: true }), { minLength: 1, maxLength: 5 })
      .map((events) => ({ text: JSON.stringify({ events }), contentType: 'application/json', shape: 'events batch' })),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom<FuzzBody>(
      { text: deep(5000, '[', ']'), contentType: 'application/json', shape: 'nested arrays x5000' },
      { text: deep(3000, '{"a":', '}'), contentType: 'application/json', shape: 'nested objects x3000' },
      { text: `{"events":${deep(4000, '[', ']')}}`, contentType: 'application/json', shape: 'nested events x4000' },
      { text: '{"__proto__":{"polluted":true},"name":"x"}', contentType: 'application/json', shape: '__proto__ key' },
      { text: '{"constructor":{"prototype":{"polluted":true}}}', contentType: 'application/json', shape: 'constructor key' },
      { text: '{"name": ', contentType: 'application/json', shape: 'malformed JSON' },
      { text: 'name=x&code[a]=1', contentType: 'application/x-www-form-urlencoded', shape: 'form body' },
      { text: 'hello', contentType: 'text/plain', shape: 'text body' },
      { text: '{"name":"x"}', contentType: 'text/plain', shape: 'JSON as text/plain' },
      { text: '<a/>', contentType: 'application/xml', shape: 'xml body' },
      { text: '', contentType: 'application/json', shape: 'empty JSON body' },
      { shape: 'no body' },
    ),
  },
);

const queryKey = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...FIELD_NAMES) },
  { weight: 3, arbitrary: fc.constantFrom('accountId[a]', 'period[a]', 'limit[a]', 'at[]', '__proto__[x]', 'constructor[prototype][x]', 'a[b][c]', '__proto__') },
);
/** encodeURIComponent that survives lone surrogates (they become U+FFFD, as a browser would send). */
const encode = (value: string): string => encodeURIComponent(value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));

const hostileQuery = fc
  .array(fc.tuple(queryKey, fc.oneof(hostileString.filter((s) => s.length < 5000), fc.constant('%ZZ'))), { maxLength: 3 })
  .map((pairs) => pairs.map(([key, value]) => `${key}=${value === '%ZZ' ? value : encode(value)}`).join('&'));

const hostilePathValue = fc.oneof(
  { weight: 6, arbitrary: hostileString.filter((s) => s.length > 0 && s.length < 2000).map(encode) },
  { weight: 1, arbitrary: fc.constantFrom('a%00b', '%00', '%ZZ', '..', '%2e%2e', 'x'.repeat(1500), '%E0%A4%A', 'acme', 'basic-cec') },
);

export interface FuzzRequest {
  route: RegisteredRoute;
  url: string;
  body: FuzzBody;
}

function requestsFor(routes: RegisteredRoute[]): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({ route: fc.constantFrom(...routes), query: hostileQuery, body: hostileBody, ids: fc.array(hostilePathValue, { minLength: 4, maxLength: 4 }) })
    .map(({ route, query, body, ids }) => {
      let index = 0;
      const path = route.path.replace(/:[A-Za-z0-9_]+/g, () => ids[index++ % ids.length]);
      const noBody = route.method === 'GET' || route.method === 'DELETE' || route.method === 'HEAD';
      return { route, url: query ? `${path}?${query}` : path, body: noBody ? { shape: 'no body' } : body };
    });
}

/** The tables whose part of two checksums differs. */
function changedTables(before: string, after: string): string[] {
  const parts = (sum: string): Map<string, string> => new Map(sum.split(';').map((part) => [part.split('=')[0], part] as [string, string]));
  const was = parts(before);
  return [...parts(after)].filter(([table, part]) => was.get(table) !== part).map(([table]) => table);
}

/** How long {@link SchemaChecksum.settled} waits for background work a request started. */
const SETTLE_LIMIT_MS = 60_000;

/** A checksum of every row of every table of the app's schema: equal before and after = nothing changed. */
export class SchemaChecksum {
  private constructor(
    private readonly client: Client,
    private readonly statement: string,
  ) {}

  static async open(schema: string): Promise<SchemaChecksum> {
    const client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    const tables = (
      await client.query<{ name: string }>(`select table_name as name from information_schema.tables where table_schema = $1 and table_type = 'BASE TABLE' order by 1`, [schema])
    ).rows.map((row) => row.name);
    const parts = tables.map(
      (table) => `select '${table}' as t, count(*)::text || ':' || coalesce(md5(string_agg(r::text, '|' order by r::text)), '') as sum from "${schema}"."${table}" r`,
    );
    return new SchemaChecksum(client, parts.length > 0 ? parts.join(' union all ') : `select '' as t, '' as sum`);
  }

  async read(): Promise<string> {
    return (await this.client.query<{ t: string; sum: string }>(this.statement)).rows.map((row) => `${row.t}=${row.sum}`).join(';');
  }

  /**
   * After a request that may have started background work (a 2xx): the checksum once that work is
   * done (`idle`, when the app can tell: e.g. billing's runs a test-clock move started) and the
   * checksum stops moving. Bounded: after SETTLE_LIMIT_MS the last checksum is answered, and a 4xx
   * that follows reports whatever was still moving.
   */
  async settled(idle?: () => Promise<boolean>): Promise<string> {
    const deadline = Date.now() + SETTLE_LIMIT_MS;
    let last = await this.read();
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const next = await this.read();
      if (next === last && (!idle || (await idle()))) return next;
      last = next;
    }
    return last;
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

export interface FuzzReport {
  routes: string[];
  requests: number;
  statuses: Record<string, number>;
  shapes: Record<string, number>;
  failures: string[];
}

export interface FuzzOptions {
  baseUrl: string;
  app: INestApplication;
  /** The app's database schema (`catalog`, `billing`, …). */
  schema: string;
  numRuns: number;
  seed: number;
  /**
   * Whether the app's background work has stopped (billing: no run running). Without it, background
   * work counts as stopped once the schema's checksum holds still for 100 ms; a billing run that a
   * 2xx test-clock move started can pause longer than that between its jobs.
   */
  idle?: () => Promise<boolean>;
}

function describeRequest(request: FuzzRequest): string {
  const text = request.body.text === undefined ? '' : ` ${request.body.contentType} ${request.body.text.length > 200 ? `${request.body.text.slice(0, 200)}…(${request.body.text.length})` : request.body.text}`;
  return `${request.route.method} ${request.url.length > 300 ? `${request.url.slice(0, 300)}…` : request.url} [${request.body.shape}]${text}`;
}

/**
 * The hostile-input property of issue #8 for one app: generated bodies, queries and path ids
 * (fast-check, seeded, bounded) sent with a valid token to every registered route. Every answer is
 * below 500; every error is a JSON `{statusCode, code, message}`; after every 4xx the app's schema
 * holds exactly what it held before. Failures are collected (not shrunk) and returned.
 */
export async function fuzzRoutes(options: FuzzOptions): Promise<FuzzReport> {
  // the API surface: every registered /v1 route (the OpenAPI UI's static files are not inputs)
  const routes = registeredRoutes(options.app).filter((route) => route.path.startsWith('/v1/') && SENDABLE_METHODS.includes(route.method));
  const requests = fc.sample(requestsFor(routes), { numRuns: options.numRuns, seed: options.seed });
  const checksum = await SchemaChecksum.open(options.schema);
  const report: FuzzReport = { routes: routes.map((r) => `${r.method} ${r.path}`), requests: 0, statuses: {}, shapes: {}, failures: [] };
  try {
    let before = await checksum.settled(options.idle);
    for (const request of requests) {
      const headers: Record<string, string> = { authorization: `Bearer ${TEST_OPERATOR_TOKEN}`, accept: 'application/json' };
      if (request.body.contentType) headers['content-type'] = request.body.contentType;
      const response = await fetch(`${options.baseUrl}${request.url}`, { method: request.route.method, headers, body: request.body.text });
      const text = await response.text();
      report.requests++;
      report.statuses[response.status] = (report.statuses[response.status] ?? 0) + 1;
      report.shapes[request.body.shape] = (report.shapes[request.body.shape] ?? 0) + 1;
      const what = `${describeRequest(request)} -> ${response.status} ${text.slice(0, 300)}`;
      if (response.status >= 500) report.failures.push(`5xx: ${what}`);
      if (response.status >= 400) {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        const error = body as { statusCode?: unknown; code?: unknown; message?: unknown } | undefined;
        if (!error || error.statusCode !== response.status || typeof error.code !== 'string' || typeof error.message !== 'string') {
          report.failures.push(`not a JSON error body: ${what}`);
        }
      }
      if (response.status >= 400 && response.status < 500) {
        const after = await checksum.read();
        if (after !== before) report.failures.push(`a 4xx changed the database (${changedTables(before, after).join(', ')}): ${what}`);
        before = after;
      } else {
        // a 2xx may have started work in the background (an outbox relay, a run): wait for it
        before = request.route.method === 'GET' ? await checksum.read() : await checksum.settled(options.idle);
      }
    }
  } finally {
    await checksum.close();
  }
  return report;
}
