import type { RunningTestApp } from './http';
import { genericBoundsAnswers, openApiSecurityProblems } from './http-security';
import { describeProbe, idleTableCounts, isPublicRoutePath, probeAuthentication, RawResponse, rawRequest, registeredRoutes, tableCounts } from './route-probe';
import { TEST_OPERATOR_TOKEN } from './test-env';

/**
 * The steps every app's `http-security.integration-spec.ts` shares (one helper instead of four
 * copies); each spec adds what is its own. They assert with jest's `expect`: call them in a test.
 */

/**
 * #8.1: the router holds at least `expectedRoutes` (as `METHOD /path`), and every route it holds
 * needs the token under every spelling of its path; no table of `schema` changes.
 */
export async function expectEveryRouteGuarded(running: RunningTestApp, schema: string, expectedRoutes: readonly string[]): Promise<void> {
  const routes = registeredRoutes(running.app);
  expect(routes.filter((route) => !isPublicRoutePath(route.path)).map((route) => `${route.method} ${route.path}`)).toEqual(
    expect.arrayContaining([...expectedRoutes]),
  );
  const before = await idleTableCounts(schema);
  const report = await probeAuthentication(running.api.baseUrl, routes, TEST_OPERATOR_TOKEN);
  expect(report.violations).toEqual([]);
  expect(await tableCounts(schema)).toEqual(before);
  process.stdout.write(describeProbe(schema, report));
}

/**
 * #8.2: the generic bounds on the app's routes: too deep bodies are a 400, other content types a
 * 415, an unknown path a 404, nothing a 5xx, and no table of `schema` changes. Answers the answers
 * for the app's own checks.
 */
export async function expectGenericBounds(
  running: RunningTestApp,
  schema: string,
  routes: Parameters<typeof genericBoundsAnswers>[2],
): Promise<Record<string, RawResponse>> {
  const before = await idleTableCounts(schema);
  const answers = await genericBoundsAnswers(running.api.baseUrl, TEST_OPERATOR_TOKEN, routes);
  expect(answers.deepArray.json).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringContaining('nested too deeply') });
  expect(answers.deepObject.json).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringContaining('nested too deeply') });
  for (const name of ['textPlain', 'form', 'multipart', 'latin1']) {
    expect(answers[name].json).toMatchObject({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  }
  expect(answers.unknownPath.json).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  for (const answer of Object.values(answers)) expect(answer.status).toBeLessThan(500);
  expect(await tableCounts(schema)).toEqual(before);
  return answers;
}

/**
 * #8.7: no X-Powered-By, helmet's headers, /docs served, and the bearer security on every /v1
 * operation of the OpenAPI (at least `minOperations`). Answers /health and /docs.
 */
export async function expectHardenedHttp(running: RunningTestApp, minOperations: number): Promise<{ health: RawResponse; docs: RawResponse }> {
  const health = await rawRequest(running.api.baseUrl, { method: 'GET', path: '/health' });
  expect(health.status).toBe(200);
  expect(health.headers['x-powered-by']).toBeUndefined();
  expect(health.headers['x-content-type-options']).toBe('nosniff');
  const docs = await rawRequest(running.api.baseUrl, { method: 'GET', path: '/docs' });
  expect(docs.status).toBe(200);
  const security = await openApiSecurityProblems(running.api.baseUrl);
  expect(security.problems).toEqual([]);
  expect(security.operations).toBeGreaterThanOrEqual(minOperations);
  return { health, docs };
}

/**
 * The app under test for a whole spec file: `start` runs in `beforeAll` (reset the schema, boot the
 * app, seed it), the app is closed in `afterAll` (then `cleanup`). The answer stands for the app
 * once started: its `app`, `api` and `close` reach the running one.
 */
export function useRunningApp(start: () => Promise<RunningTestApp>, cleanup?: () => Promise<void>): RunningTestApp {
  let current: RunningTestApp | null = null;
  const started = (): RunningTestApp => {
    if (current === null) throw new Error('the app under test is not started yet (beforeAll)');
    return current;
  };
  beforeAll(async () => {
    current = await start();
  });
  afterAll(async () => {
    await current?.close();
    await cleanup?.();
  });
  return {
    get app() {
      return started().app;
    },
    get api() {
      return started().api;
    },
    close: () => started().close(),
  };
}
