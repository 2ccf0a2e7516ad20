import {
  expectEveryRouteGuarded,
  expectGenericBounds,
  expectHardenedHttp,
  rawRequest,
  resetSchema,
  startTestApp,
  useRunningApp,
  useTestEnvironment,
} from '@cec/testing';
import { CatalogAppModule } from '../app.module';
import { CATALOG_ORM } from '../catalog.module-def';

useTestEnvironment();

describe('catalog: authentication and HTTP hardening (issue 8)', () => {
  const running = useRunningApp(async () => {
    await resetSchema(CATALOG_ORM);
    const app = await startTestApp(CatalogAppModule.register(), { app: 'catalog', title: 'catalog', description: 'test' });
    const seeded = await app.api.post('/v1/products', { code: 'sample-code', name: 'Sample', unit: 'agent', features: [], billingModes: ['pay_per_use'] });
    expect(seeded.status).toBe(201);
    return app;
  });

  it('#8.1 every route the router holds needs the token, whatever the spelling of its path; nothing changes', async () => {
    await expectEveryRouteGuarded(running, 'catalog', ['POST /v1/products', 'GET /v1/products', 'GET /v1/products/:code', 'POST /v1/products/:code/prices']);
  });

  it('#8.2 hostile bodies, content types and path ids get a 4xx with a code, never a 5xx; nothing changes', async () => {
    const answers = await expectGenericBounds(running, 'catalog', {
      post: '/v1/products',
      withParam: (id) => `/v1/products/${id}`,
    });
    expect(answers.nulInBody.json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringContaining('NUL') });
    for (const name of ['textPlain', 'form', 'multipart']) {
      expect(answers[name].json).toMatchObject({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining('application/json') });
    }
    // no body and no content type: the handler's own 400 for the missing fields
    expect(answers.noBodyNoType.json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(answers.nulInPathId.json).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'path parameter code must not contain control characters' });
    expect(answers.controlInPathId.json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(answers.badPercentInPathId.json).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    expect(answers.unknownRoot.json).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });

  it('#8.7 no X-Powered-By, helmet headers, /docs still served, OpenAPI bearer security on every /v1 operation', async () => {
    const { health, docs } = await expectHardenedHttp(running, 5);
    expect(health.headers['content-security-policy']).toContain("default-src 'self'");
    expect(docs.text).toContain('swagger-ui');
    expect(docs.headers['x-powered-by']).toBeUndefined();
    // the UI's scripts are files of /docs (allowed by the CSP's script-src 'self'), served as JavaScript
    for (const asset of ['/docs/swagger-ui-init.js', '/docs/swagger-ui-bundle.js']) {
      const script = await rawRequest(running.api.baseUrl, { method: 'GET', path: asset });
      expect({ asset, status: script.status, type: script.headers['content-type'] }).toEqual({
        asset,
        status: 200,
        type: expect.stringContaining('javascript'),
      });
    }
    expect(docs.headers['content-security-policy']).toContain("script-src 'self'");
  });
});
