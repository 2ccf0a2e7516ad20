import { NatsConnection } from 'nats';
import {
  connectNats,
  expectEveryRouteGuarded,
  expectGenericBounds,
  expectHardenedHttp,
  rawRequest,
  resetSchema,
  idleTableCounts,
  tableCounts,
  TEST_OPERATOR_TOKEN,
  useRunningApp,
  useTestEnvironment,
} from '@cec/testing';
import { BILLING_ORM } from '../billing.module-def';
import { createAccount, resetBillingStreams, startBilling } from './support/billing-harness';

useTestEnvironment();

describe('billing: authentication and HTTP hardening (issue 8)', () => {
  let nc: NatsConnection;
  const running = useRunningApp(
    async () => {
      await resetSchema(BILLING_ORM);
      nc = await connectNats();
      await resetBillingStreams(nc);
      // the test clock on, so that its routes are registered and probed too
      const app = await startBilling({ testClock: true });
      await createAccount(nc, app.api, 'sample-id');
      const topUp = await app.api.post('/v1/accounts/sample-id/top-ups', { amount: '10.00', reference: 'seed-1' });
      expect(topUp.status).toBe(201);
      return app;
    },
    () => nc.close(),
  );

  it('#8.1 every route the router holds needs the token, whatever the spelling of its path; nothing changes', async () => {
    const frozen = await running.api.put('/v1/test/clock', { now: '2026-03-10T12:00:00+08:00' });
    expect(frozen.status).toBe(200);
    await expectEveryRouteGuarded(running, 'billing', [
        'POST /v1/accounts/:id/top-ups',
        'GET /v1/bills',
        'GET /v1/bills/:id/document',
        'POST /v1/billing-runs',
        'POST /v1/discounts',
        'GET /v1/test/clock',
        'PUT /v1/test/clock',
        'DELETE /v1/test/clock',
      ]);
    // no DELETE or PUT reached the test clock: still frozen where it was set
    expect((await running.api.get('/v1/test/clock')).body).toMatchObject({ now: '2026-03-10T12:00:00+08:00', frozen: true });
    const balance = await running.api.get('/v1/accounts/sample-id/balance');
    expect(balance.body).toMatchObject({ balance: '10.00' });
  });

  it('#8.2 hostile bodies, content types, path ids and query values get a 4xx with a code, never a 5xx; nothing changes', async () => {
    const answers = await expectGenericBounds(running, 'billing', {
      post: '/v1/discounts',
      withParam: (id) => `/v1/accounts/${id}/balance`,
      withQuery: (value) => `/v1/bills?accountId=${value}`,
    });
    expect(answers.nulInBody.json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringContaining('NUL') });
    expect(answers.noBodyNoType.json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(answers.nulInPathId.json).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'path parameter id must not contain control characters' });
    expect(answers.controlInPathId.json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(answers.badPercentInPathId.json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringContaining('%E0%A4%A') });
    expect(answers.nulInQuery.json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    // a top-up sent as a form changes nothing
    const before = await idleTableCounts('billing');
    const form = await rawRequest(running.api.baseUrl, {
      method: 'POST',
      path: '/v1/accounts/sample-id/top-ups',
      headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'amount=5.00&reference=form-1',
    });
    expect(form.json).toMatchObject({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(await tableCounts('billing')).toEqual(before);
  });

  it('#8.4 object- and list-shaped query values on GET /v1/bills and GET /v1/billing-runs are a 400 naming the parameter', async () => {
    const cases: Array<[string, string]> = [
      ['/v1/bills?accountId[a]=1', 'accountId'],
      ['/v1/bills?accountId[]=sample-id', 'accountId'],
      ['/v1/bills?accountId=sample-id&accountId=other', 'accountId'],
      ['/v1/bills?period[a]=1', 'period'],
      ['/v1/billing-runs?period[a]=1', 'period'],
      ['/v1/billing-runs?period[]=2026-01', 'period'],
      ['/v1/billing-runs?period=2026-01&period=2026-02', 'period'],
    ];
    for (const [path, name] of cases) {
      const answer = await running.api.get(path);
      expect({ path, ...answer }).toEqual({
        path,
        status: 400,
        body: { statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(new RegExp(`^query parameter ${name} `)) },
      });
    }
    // the plain forms still answer
    expect((await running.api.get('/v1/bills?accountId=sample-id')).status).toBe(200);
    expect((await running.api.get('/v1/billing-runs')).status).toBe(200);
  });

  it('#8.7 no X-Powered-By, helmet headers, /docs still served, OpenAPI bearer security on every /v1 operation (test clock included)', async () => {
    await expectHardenedHttp(running, 14);
    const bills = await running.api.get('/v1/bills');
    expect(bills.status).toBe(200);
    const json = await rawRequest(running.api.baseUrl, { method: 'GET', path: '/docs-json' });
    expect((json.json as { paths: Record<string, { get?: { security?: unknown } }> }).paths['/v1/test/clock'].get?.security).toEqual([{ bearer: [] }]);
  });
});
