import { request as httpRequest } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { sql } from './database';

/** A route as the Express router holds it: one HTTP method and the path pattern it was registered with. */
export interface RegisteredRoute {
  method: string;
  path: string;
}

interface RouterLayer {
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
}

/**
 * Every route the app registered, read from the Express router itself (not from a list kept by
 * hand): Nest's controllers and Express-level routes such as Swagger's `/docs`.
 */
export function registeredRoutes(app: INestApplication): RegisteredRoute[] {
  const express = app.getHttpAdapter().getInstance() as { router: { stack: RouterLayer[] } };
  const routes: RegisteredRoute[] = [];
  for (const layer of express.router.stack) {
    if (!layer.route) continue;
    const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
    for (const path of paths) {
      if (typeof path !== 'string') continue;
      for (const [method, enabled] of Object.entries(layer.route.methods)) {
        if (enabled && method !== '_all') routes.push({ method: method.toUpperCase(), path });
      }
    }
  }
  return routes;
}

/** A concrete path for a route pattern: each `:name` becomes `sample-name`, a wildcard `{*name}` `sample/any`. */
export function samplePath(pattern: string): string {
  return pattern
    .replace(/\{?\*([A-Za-z0-9_]+)\}?/g, 'sample/any')
    .replace(/:([A-Za-z0-9_]+)/g, (_match, name: string) => `sample-${name}`);
}

/**
 * A wildcard route (`/{*all}`) is a middleware registered for every path and method, such as
 * MikroORM's request context; it ends no request itself.
 */
export function isCatchAllRoute(route: RegisteredRoute): boolean {
  return route.path.includes('*');
}

function swapCase(text: string): string {
  return [...text].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Other spellings of a route's path (given as its pattern; parameters get sample values) that a
 * lenient router might route to the same handler: other letter cases (whole path, each literal
 * segment), percent-encoded letters (`%56%31` for `V1`, `%76%31` for `v1`, one letter of the last
 * literal segment), doubled slashes, a trailing slash, dot segments. None is the registered route.
 */
export function pathVariants(pattern: string): Array<{ label: string; path: string }> {
  const path = samplePath(pattern);
  const patternSegments = pattern.split('/').slice(1);
  const segments = path.split('/').slice(1);
  const isLiteral = (index: number): boolean => !/[:*]/.test(patternSegments[index] ?? ':');
  const join = (parts: string[]): string => `/${parts.join('/')}`;
  const variants: Array<{ label: string; path: string }> = [
    { label: 'upper case', path: path.toUpperCase() },
    { label: 'swapped case', path: swapCase(path) },
    { label: 'doubled slashes', path: path.replace(/\//g, '//') },
    { label: 'leading double slash', path: `/${path}` },
    { label: 'trailing slash', path: `${path}/` },
    { label: 'dot segment', path: `/.${path}` },
    { label: 'dot-dot segment', path: `/${segments[0]}/..${path}` },
  ];
  segments.forEach((segment, index) => {
    if (!isLiteral(index) || !/[a-z]/.test(segment)) return;
    const changed = [...segments];
    changed[index] = capitalize(segment) === segment ? segment.toUpperCase() : capitalize(segment);
    variants.push({ label: `case of segment ${index + 1}`, path: join(changed) });
  });
  if (segments[0] === 'v1') {
    const tail = segments.length > 1 ? join(segments.slice(1)) : '';
    variants.push({ label: '%56%31 for V1', path: `/%56%31${tail}` }, { label: '%76%31 for v1', path: `/%76%31${tail}` });
  }
  const lastLiteral = segments.map((_segment, index) => index).filter((index) => isLiteral(index) && /^[a-z]/.test(segments[index])).pop();
  if (lastLiteral !== undefined && lastLiteral > 0) {
    const changed = [...segments];
    const segment = segments[lastLiteral];
    changed[lastLiteral] = `%${segment.charCodeAt(0).toString(16)}${segment.slice(1)}`;
    variants.push({ label: 'percent-encoded letter', path: join(changed) });
  }
  return variants;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

/**
 * One HTTP request with the path sent byte for byte as given (fetch would resolve `/./` and `..`
 * and re-encode): for probing what the server does with odd spellings.
 */
export function rawRequest(
  baseUrl: string,
  input: { method: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method: input.method, path: input.path, headers: { accept: 'application/json', ...input.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = undefined;
          try {
            json = text.length > 0 ? JSON.parse(text) : undefined;
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    if (input.body !== undefined) req.write(input.body);
    req.end();
  });
}

/** Row count of every table in a schema (for "nothing changed" assertions). */
export async function tableCounts(schema: string): Promise<Record<string, number>> {
  const tables = await sql<{ table_name: string }>(
    "select table_name from information_schema.tables where table_schema = $1 and table_type = 'BASE TABLE' order by table_name",
    [schema],
  );
  const counts: Record<string, number> = {};
  for (const { table_name: table } of tables) {
    const [row] = await sql<{ n: string }>(`select count(*) as n from "${schema}"."${table}"`);
    counts[table] = Number(row.n);
  }
  return counts;
}

/**
 * Work queues a background worker of the app drains by itself, deleting each row when done (the
 * prepaid guard's marks): rows left there by a test's earlier steps go away at a moment of the
 * worker's choosing, so a "nothing changes" snapshot taken while they are there differs from the
 * next one without any request having changed anything.
 */
const DRAINED_QUEUES: Readonly<Record<string, readonly string[]>> = { billing: ['guard_dirty'] };

/**
 * {@link tableCounts} taken once the schema's self-draining work queues are empty (up to 15 s; after
 * that, as they are): the "before" snapshot of a "nothing changes" check. The "after" snapshot is a
 * plain {@link tableCounts}, so a request that queued work still shows as a change.
 */
export async function idleTableCounts(schema: string): Promise<Record<string, number>> {
  const deadline = Date.now() + 15_000;
  for (const queue of DRAINED_QUEUES[schema] ?? []) {
    while (Date.now() < deadline) {
      const [row] = await sql<{ n: string }>(`select count(*) as n from "${schema}"."${queue}"`);
      if (Number(row.n) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return tableCounts(schema);
}

/** Routes anyone may call: Nest's `@Public()` health check and Swagger's pages, served by Express. */
export function isPublicRoutePath(path: string): boolean {
  return path === '/health' || path === '/docs' || path.startsWith('/docs/') || path.startsWith('/docs-');
}

export interface AuthProbeReport {
  routes: RegisteredRoute[];
  /** Method-and-path routes that end requests (catch-all middleware routes not counted). */
  endpoints: number;
  protectedRoutes: number;
  requests: number;
  statuses: Record<string, number>;
  /** Every answer that broke a rule, as `METHOD path [headers]: status` (empty when all held). */
  violations: string[];
}

/**
 * Calls every protected route of a running app as an outsider would: its real path with no token,
 * a wrong token and token-like garbage (each must be exactly 401 UNAUTHORIZED), and its path in
 * other spellings without a token (never 2xx) and with the right token (404 NOT_FOUND: such a
 * path is not routed at all).
 */
export async function probeAuthentication(
  baseUrl: string,
  routes: RegisteredRoute[],
  validToken: string,
): Promise<AuthProbeReport> {
  const report: AuthProbeReport = { routes, endpoints: routes.filter((route) => !isCatchAllRoute(route)).length, protectedRoutes: 0, requests: 0, statuses: {}, violations: [] };
  const garbage: Array<string> = [
    'Bearer wrong-token-0123456789abcdef0123',
    'Bearer',
    'Bearer ',
    `Bearer ${validToken}x`,
    `Bearer ${validToken.slice(0, -1)}`,
    `Bearer ${validToken} ${validToken}`,
    `Basic ${Buffer.from(`operator:${validToken}`).toString('base64')}`,
    validToken,
    `Token ${validToken}`,
    'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJvcGVyYXRvciJ9.',
  ];
  const label = (method: string, path: string, authorization: string | undefined): string =>
    `${method} ${path} [${authorization === undefined ? 'no token' : authorization === `Bearer ${validToken}` ? 'valid token' : authorization}]`;
  const send = async (method: string, path: string, authorization: string | undefined): Promise<{ status: number; code: unknown }> => {
    const headers: Record<string, string> = {};
    if (authorization !== undefined) headers['authorization'] = authorization;
    let body: string | undefined;
    if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
      headers['content-type'] = 'application/json';
      body = '{}';
    }
    report.requests += 1;
    let response: RawResponse;
    try {
      response = await rawRequest(baseUrl, { method, path, headers, body });
    } catch (error) {
      report.violations.push(`${label(method, path, authorization)}: no answer (${String(error)})`);
      return { status: 0, code: undefined };
    }
    report.statuses[String(response.status)] = (report.statuses[String(response.status)] ?? 0) + 1;
    const code = response.json !== null && typeof response.json === 'object' ? (response.json as { code?: unknown }).code : undefined;
    return { status: response.status, code };
  };

  for (const route of routes.filter(isCatchAllRoute)) {
    // a catch-all middleware route: no method of a common kind may answer 2xx on any path through it
    if (!['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].includes(route.method)) continue;
    const path = samplePath(route.path);
    for (const authorization of [undefined, `Bearer ${validToken}`]) {
      const answer = await send(route.method, path, authorization);
      if (answer.status !== 404 || answer.code !== 'NOT_FOUND') {
        report.violations.push(`catch-all: ${label(route.method, path, authorization)}: ${answer.status} ${String(answer.code)}`);
      }
    }
  }
  for (const route of routes) {
    if (isPublicRoutePath(route.path) || isCatchAllRoute(route)) continue;
    report.protectedRoutes += 1;
    const path = samplePath(route.path);
    for (const authorization of [undefined, ...garbage]) {
      const answer = await send(route.method, path, authorization);
      if (answer.status !== 401 || answer.code !== 'UNAUTHORIZED') {
        report.violations.push(`${label(route.method, path, authorization)}: ${answer.status} ${String(answer.code)}`);
      }
    }
    for (const method of ['HEAD', 'OPTIONS']) {
      const answer = await send(method, path, undefined);
      if (answer.status >= 200 && answer.status < 300) report.violations.push(`${label(method, path, undefined)}: ${answer.status}`);
    }
    for (const variant of pathVariants(route.path)) {
      const anonymous = await send(route.method, variant.path, undefined);
      if ((anonymous.status !== 401 && anonymous.status !== 404) || typeof anonymous.code !== 'string') {
        report.violations.push(`${variant.label}: ${label(route.method, variant.path, undefined)}: ${anonymous.status} ${String(anonymous.code)}`);
      }
      const authorization = `Bearer ${validToken}`;
      const known = await send(route.method, variant.path, authorization);
      if (known.status >= 200 && known.status < 300) {
        report.violations.push(`${variant.label}: ${label(route.method, variant.path, authorization)}: ${known.status}`);
      }
    }
  }
  return report;
}

/** One line for the test log: routes, requests and the statuses seen. */
export function describeProbe(app: string, report: AuthProbeReport): string {
  const publicRoutes = report.endpoints - report.protectedRoutes;
  return `#8.1 ${app}: ${report.endpoints} routes (${report.protectedRoutes} protected, ${publicRoutes} public), ${report.requests} requests, statuses ${JSON.stringify(report.statuses)}\n`;
}
