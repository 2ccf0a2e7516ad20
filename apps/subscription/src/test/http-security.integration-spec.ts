import {
  expectEveryRouteGuarded,
  expectGenericBounds,
  expectHardenedHttp,
  resetSchema,
  startTestApp,
  useRunningApp,
  useTestEnvironment,
} from '@cec/testing';
import { SubscriptionAppModule } from '../app.module';
import { SUBSCRIPTION_ORM } from '../subscription.module-def';

useTestEnvironment();

describe('subscription: authentication and HTTP hardening (issue 8)', () => {
  const running = useRunningApp(async () => {
    await resetSchema(SUBSCRIPTION_ORM);
    const app = await startTestApp(SubscriptionAppModule.register({ config: { natsRequestTimeoutMs: 1500 } }), {
      app: 'subscription',
      title: 'subscription',
      description: 'test',
    });
    const seeded = await app.api.post('/v1/accounts', { id: 'sample-id', name: 'Seeded' });
    expect(seeded.status).toBe(201);
    return app;
  });

  it('#8.1 every route the router holds needs the token, whatever the spelling of its path; nothing changes', async () => {
    await expectEveryRouteGuarded(running, 'subscription', ['POST /v1/accounts', 'GET /v1/accounts/:id', 'POST /v1/subscriptions', 'POST /v1/subscriptions/:id/cancel']);
  });

  it('#8.2 hostile bodies, content types, path ids and query values get a 4xx with a code, never a 5xx; nothing changes', async () => {
    const answers = await expectGenericBounds(running, 'subscription', {
      post: '/v1/accounts',
      withParam: (id) => `/v1/accounts/${id}`,
      withQuery: (value) => `/v1/subscriptions/sample-id/quantity?at=${value}`,
    });
    expect(answers.nulInBody.json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringContaining('NUL') });
    expect(answers.noBodyNoType.json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(answers.nulInPathId.json).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'path parameter id must not contain control characters' });
    expect(answers.controlInPathId.json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(answers.badPercentInPathId.json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(answers.nulInQuery.json).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'query parameter at must not contain control characters' });
    for (const name of ['objectQuery', 'listQuery', 'repeatedQuery']) {
      expect(answers[name].json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(/^query parameter at /) });
    }
  });

  it('#8.7 no X-Powered-By, helmet headers, /docs still served, OpenAPI bearer security on every /v1 operation', async () => {
    const { docs } = await expectHardenedHttp(running, 9);
    expect(docs.text).toContain('swagger-ui');
  });
});
