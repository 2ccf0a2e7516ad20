import {
  expectEveryRouteGuarded,
  expectGenericBounds,
  expectHardenedHttp,
  rawRequest,
  resetSchema,
  startTestApp,
  TEST_OPERATOR_TOKEN,
  useRunningApp,
  useTestEnvironment,
} from '@cec/testing';
import { MeteringAppModule } from '../app.module';
import { METERING_ORM } from '../metering.module-def';

useTestEnvironment();

describe('metering: authentication and HTTP hardening (issue 8)', () => {
  const running = useRunningApp(async () => {
    await resetSchema(METERING_ORM);
    return startTestApp(MeteringAppModule.register(), { app: 'metering', title: 'metering', description: 'test' });
  });

  it('#8.1 every route the router holds needs the token, whatever the spelling of its path; nothing changes', async () => {
    await expectEveryRouteGuarded(running, 'metering', ['POST /v1/usage-events', 'GET /v1/usage-events/rejected', 'GET /v1/usage']);
  });

  it('#8.2 #8.4 hostile bodies, content types and query values get a 4xx with a code, never a 5xx; nothing changes', async () => {
    const answers = await expectGenericBounds(running, 'metering', {
      post: '/v1/usage-events',
      withQuery: (value) => `/v1/usage?subscriptionId=${value}&period=2026-01`,
    });
    // usage-events judges NUL per event (@AllowNulInBody, R6.3); this body has no events at all
    expect(answers.nulInBody.json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(answers.noBodyNoType.json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(answers.nulInQuery.json).toEqual({
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      message: 'query parameter subscriptionId must not contain control characters',
    });
    // metering answered 400 to these shapes before; now every app does, naming the parameter
    for (const name of ['objectQuery', 'listQuery', 'repeatedQuery']) {
      expect(answers[name].json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(/^query parameter subscriptionId /) });
    }
  });

  it('#8.2 a batch of 1000 events with the longest ids fits in the 1mb body limit; 2mb does not (413)', async () => {
    const events = Array.from({ length: 1000 }, (_unused, index) => ({
      id: `${String(index).padStart(4, '0')}-${'e'.repeat(123)}`,
      subscriptionId: 's'.repeat(128),
      quantity: 1000000,
      timestamp: '2026-01-05T10:00:00+08:00',
    }));
    const body = JSON.stringify({ events });
    const accepted = await rawRequest(running.api.baseUrl, {
      method: 'POST',
      path: '/v1/usage-events',
      headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body,
    });
    expect(accepted.status).toBe(202);
    // unknown subscriptions: every event is kept (parked, #9.3) until its subscription is known
    expect(accepted.json).toMatchObject({ accepted: 1000, parked: 1000 });
    const tooLarge = await rawRequest(running.api.baseUrl, {
      method: 'POST',
      path: '/v1/usage-events',
      headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: [...events, ...events, ...events, ...events, ...events, ...events, ...events] }),
    });
    expect(tooLarge.json).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
    process.stdout.write(`#8.2 metering: a 1000-event batch of longest ids is ${Buffer.byteLength(body)} bytes\n`);
  });

  it('#8.7 no X-Powered-By, helmet headers, /docs still served, OpenAPI bearer security on every /v1 operation', async () => {
    await expectHardenedHttp(running, 4);
  });
});
