import { fuzzRoutes, RunningTestApp, resetSchema, sql, startTestApp, useTestEnvironment } from '@cec/testing';
import { CatalogAppModule } from '../app.module';
import { CATALOG_ORM } from '../catalog.module-def';

useTestEnvironment();

describe('catalog under hostile input (issue #8)', () => {
  let running: RunningTestApp;

  beforeAll(async () => {
    await resetSchema(CATALOG_ORM);
    running = await startTestApp(CatalogAppModule.register(), { app: 'catalog', title: 'catalog', description: 'test' });
    const product = { code: 'basic-cec', name: 'Basic CEC', unit: 'agent', features: ['softphone'], billingModes: ['pay_per_use'] };
    expect((await running.api.post('/v1/products', product)).status).toBe(201);
  });

  afterAll(async () => {
    await running.close();
  });

  async function rows(): Promise<string> {
    const [row] = await sql<{ n: string }>('select (select count(*) from catalog.product) || \'/\' || (select count(*) from catalog.price_version) as n');
    return row.n;
  }

  it.each([
    ['effectiveFrom in year 0000', '/v1/products/basic-cec/prices', { unitPrice: '5.00', currency: 'USD', effectiveFrom: '0000-01-01' }, /^effectiveFrom must be/],
    ['effectiveFrom in year 0001', '/v1/products/basic-cec/prices', { unitPrice: '5.00', currency: 'USD', effectiveFrom: '0001-01-01' }, /^effectiveFrom must be/],
    ['effectiveFrom in year 99999', '/v1/products/basic-cec/prices', { unitPrice: '5.00', currency: 'USD', effectiveFrom: '99999-01-01' }, /^effectiveFrom must be/],
    ['a NUL in the product code', '/v1/products', { code: 'a\u0000b', name: 'A', unit: 'agent', features: [], billingModes: ['pay_per_use'] }, /^code must/],
    ['a NUL in the product name', '/v1/products', { code: 'nul-name', name: 'A\u0000B', unit: 'agent', features: [], billingModes: ['pay_per_use'] }, /^name must not contain/],
    ['a NUL in a feature', '/v1/products', { code: 'nul-feature', name: 'A', unit: 'agent', features: ['ok', 'x\u0000'], billingModes: ['pay_per_use'] }, /^features\[1\] must not contain/],
    ['a NUL in the price label', '/v1/products/basic-cec/prices', { unitPrice: '5.00', currency: 'USD', effectiveFrom: '2026-01-01', label: '\u0000' }, /^label must not contain/],
    ['a name of 201 characters', '/v1/products', { code: 'long-name', name: 'x'.repeat(201), unit: 'agent', features: [], billingModes: ['pay_per_use'] }, /^name must be at most 200 characters/],
    ['a __proto__ field', '/v1/products', JSON.parse('{"__proto__": {"polluted": true}, "code": "proto", "name": "A", "unit": "agent", "features": [], "billingModes": ["pay_per_use"]}'), /^__proto__ is not an allowed field/],
  ])('#8.2 %s is a 400 naming the field, and nothing is stored', async (_name, path, body, message) => {
    const before = await rows();
    const response = await running.api.post(path, body);
    expect(response.body).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(message) });
    expect(await rows()).toBe(before);
  });

  it('#8.2 a NUL in a path id is a 400 naming it, not a database error', async () => {
    const response = await running.api.get('/v1/products/a%00b');
    expect(response.body).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(/\bcode must/) });
  });

  it('#8.2 a body nested 5000 deep or sent as text/plain is a 400, not a 500', async () => {
    const nested = await running.api.raw('POST', '/v1/products', `${'['.repeat(5000)}${']'.repeat(5000)}`);
    expect(nested.status).toBe(400);
    const text = await fetch(`${running.api.baseUrl}/v1/products`, {
      method: 'POST',
      headers: { authorization: `Bearer ${process.env['OPERATOR_TOKENS']}`, 'content-type': 'text/plain' },
      body: 'code=x',
    });
    expect(text.status).toBeGreaterThanOrEqual(400);
    expect(text.status).toBeLessThan(500);
  });

  it('the OpenAPI document carries the zod schemas of the inputs', async () => {
    const doc = await running.api.get<{ components: { schemas: Record<string, { properties?: Record<string, unknown>; additionalProperties?: unknown }> } }>('/docs-json');
    const schema = doc.body.components.schemas['CreatePriceVersionDto'];
    expect(schema.properties).toMatchObject({ effectiveFrom: { type: 'string', format: 'date' }, unitPrice: { type: 'string' } });
    expect(schema.additionalProperties).toBe(false);
  });

  it('#8.2 #8.3 #8.4 #8.5 fuzz: hostile bodies, queries and path ids on every route: never a 5xx, always a JSON error, no 4xx changes anything', async () => {
    const report = await fuzzRoutes({ baseUrl: running.api.baseUrl, app: running.app, schema: 'catalog', numRuns: 250, seed: 8_001 });
    console.log(`catalog fuzz: ${report.requests} requests over ${report.routes.length} routes (${report.routes.join(', ')}); statuses ${JSON.stringify(report.statuses)}`);
    expect(report.routes.length).toBeGreaterThanOrEqual(4);
    expect(report.failures).toEqual([]);
  });
});
