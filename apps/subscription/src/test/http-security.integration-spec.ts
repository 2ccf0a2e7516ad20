import {
  describeProbe,
  genericBoundsAnswers,
  isPublicRoutePath,
  openApiSecurityProblems,
  probeAuthentication,
  rawRequest,
  registeredRoutes,
  resetSchema,
  RunningTestApp,
  startTestApp,
  tableCounts,
  TEST_OPERATOR_TOKEN,
  useTestEnvironment,
} from '@cec/testing';
import { SubscriptionAppModule } from '../app.module';
import { SUBSCRIPTION_ORM } from '../subscription.module-def';

useTestEnvironment();

describe('subscription: authentication and HTTP hardening (issue 8)', () => {
  let running: RunningTestApp;

  beforeAll(async () => {
    await resetSchema(SUBSCRIPTION_ORM);
    running = await startTestApp(SubscriptionAppModule.register({ config: { natsRequestTimeoutMs: 1500 } }), {
      app: 'subscription',
      title: 'subscription',
      description: 'test',
    });
    const seeded = await running.api.post('/v1/accounts', { id: 'sample-id', name: 'Seeded' });
    expect(seeded.status).toBe(201);
  });

  afterAll(async () => {
    await running.close();
  });

  it('#8.1 every route the router holds needs the token, whatever the spelling of its path; nothing changes', async () => {
    const routes = registeredRoutes(running.app);
    expect(routes.filter((route) => !isPublicRoutePath(route.path)).map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(['POST /v1/accounts', 'GET /v1/accounts/:id', 'POST /v1/subscriptions', 'POST /v1/subscriptions/:id/cancel']),
    );
    const before = await tableCounts('subscription');
    const report = await probeAuthentication(running.api.baseUrl, routes, TEST_OPERATOR_TOKEN);
    expect(report.violations).toEqual([]);
    expect(await tableCounts('subscription')).toEqual(before);
    process.stdout.write(describeProbe('subscription', report));
  });

  it('#8.2 hostile bodies, content types, path ids and query values get a 4xx with a code, never a 5xx; nothing changes', async () => {
    const before = await tableCounts('subscription');
    const answers = await genericBoundsAnswers(running.api.baseUrl, TEST_OPERATOR_TOKEN, {
      post: '/v1/accounts',
      withParam: (id) => `/v1/accounts/${id}`,
      withQuery: (value) => `/v1/subscriptions/sample-id/quantity?at=${value}`,
    });
    expect(answers.deepArray.json).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringContaining('nested too deeply') });
    expect(answers.deepObject.json).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringContaining('nested too deeply') });
    expect(answers.nulInBody.json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringContaining('NUL') });
    for (const name of ['textPlain', 'form', 'multipart', 'latin1']) {
      expect(answers[name].json).toMatchObject({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    }
    expect(answers.noBodyNoType.json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(answers.nulInPathId.json).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'path parameter id must not contain control characters' });
    expect(answers.controlInPathId.json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(answers.badPercentInPathId.json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(answers.nulInQuery.json).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'query parameter at must not contain control characters' });
    for (const name of ['objectQuery', 'listQuery', 'repeatedQuery']) {
      expect(answers[name].json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(/^query parameter at /) });
    }
    expect(answers.unknownPath.json).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    for (const answer of Object.values(answers)) expect(answer.status).toBeLessThan(500);
    expect(await tableCounts('subscription')).toEqual(before);
  });

  it('#8.7 no X-Powered-By, helmet headers, /docs still served, OpenAPI bearer security on every /v1 operation', async () => {
    const health = await rawRequest(running.api.baseUrl, { method: 'GET', path: '/health' });
    expect(health.status).toBe(200);
    expect(health.headers['x-powered-by']).toBeUndefined();
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    const docs = await rawRequest(running.api.baseUrl, { method: 'GET', path: '/docs' });
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui');
    const security = await openApiSecurityProblems(running.api.baseUrl);
    expect(security.problems).toEqual([]);
    expect(security.operations).toBeGreaterThanOrEqual(9);
  });
});
