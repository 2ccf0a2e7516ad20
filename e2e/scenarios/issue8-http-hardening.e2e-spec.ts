// Scenario: the apps as `npm start` runs them (main.ts, bootstrapApp) refuse every spelling of a
// path that is not the registered route, need the token on every /v1 route, and send no
// X-Powered-By. Findings #8.1 and #8.7 of issue 8 (the full route enumeration is in each app's
// http-security integration spec).
import { rawRequest } from '@cec/testing';
import { Platform } from '../support/platform';
import { stackInfo } from '../support/stack-info';

describe('issue 8: authentication and HTTP hardening of the running apps', () => {
  const platform = new Platform();
  afterAll(() => platform.close());

  it('#8.1 #8.7 other spellings are not routed, /v1 needs the token, no X-Powered-By', async () => {
    const token = stackInfo().token;
    const apps: Array<[string, string]> = [
      [platform.catalog.baseUrl, '/v1/products'],
      [platform.subscription.baseUrl, '/v1/accounts/x'],
      [platform.metering.baseUrl, '/v1/usage-events/rejected'],
      [platform.billing.baseUrl, '/v1/bills'],
    ];
    for (const [baseUrl, path] of apps) {
      const anonymous = await rawRequest(baseUrl, { method: 'GET', path });
      expect({ path, status: anonymous.status, json: anonymous.json }).toMatchObject({ path, status: 401, json: { code: 'UNAUTHORIZED' } });
      for (const spelling of [path.toUpperCase(), path.replace('/v1/', '/V1/'), `${path}/`, path.replace('/v1/', '/%76%31/')]) {
        for (const authorization of [undefined, `Bearer ${token}`]) {
          const answer = await rawRequest(baseUrl, { method: 'GET', path: spelling, headers: authorization ? { authorization } : {} });
          expect({ spelling, authorization: authorization !== undefined, status: answer.status }).toEqual({
            spelling,
            authorization: authorization !== undefined,
            status: authorization ? 404 : expect.any(Number),
          });
          expect(answer.status === 401 || answer.status === 404).toBe(true);
        }
      }
      const health = await rawRequest(baseUrl, { method: 'GET', path: '/health' });
      expect(health.status).toBe(200);
      expect(health.headers['x-powered-by']).toBeUndefined();
      expect(health.headers['x-content-type-options']).toBe('nosniff');
    }
  });
});
