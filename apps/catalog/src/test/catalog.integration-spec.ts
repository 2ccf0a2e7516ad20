import { GetProductReply, PATTERNS, ResolvePricesReply } from '@cec/contracts';
import { RunningTestApp, resetSchema, sql, startTestApp, TestRpcClient, useTestEnvironment } from '@cec/testing';
import { CatalogAppModule } from '../app.module';
import { CATALOG_ORM } from '../catalog.module-def';

useTestEnvironment();

const product = {
  code: 'basic-cec',
  name: 'Basic CEC',
  unit: 'agent',
  features: ['voice inbound call', 'softphone'],
  billingModes: ['pay_per_use'],
};

describe('catalog app against PostgreSQL and NATS', () => {
  let running: RunningTestApp;
  let rpc: TestRpcClient;

  beforeAll(async () => {
    await resetSchema(CATALOG_ORM);
    running = await startTestApp(CatalogAppModule.register(), { app: 'catalog', title: 'catalog', description: 'test' });
    rpc = new TestRpcClient();
  });

  afterAll(async () => {
    await rpc.close();
    await running.close();
  });

  async function counts(): Promise<{ products: number; prices: number }> {
    const [row] = await sql<{ products: string; prices: string }>(
      'select (select count(*) from catalog.product) as products, (select count(*) from catalog.price_version) as prices',
    );
    return { products: Number(row.products), prices: Number(row.prices) };
  }

  it('R1.1 creates a product and reads it back', async () => {
    const created = await running.api.post('/v1/products', product);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...product, prices: [] });
    const read = await running.api.get(`/v1/products/${product.code}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject(product);
    const list = await running.api.get<unknown[]>('/v1/products');
    expect(list.body).toHaveLength(1);
  });

  it('R1.3 appends price versions and shows them in date order', async () => {
    const later = await running.api.post(`/v1/products/${product.code}/prices`, { unitPrice: '55.00', currency: 'USD', effectiveFrom: '2026-07-01' });
    expect(later.status).toBe(201);
    expect(later.body).toMatchObject({ unitPrice: '55.00', currency: 'USD', effectiveFrom: '2026-07-01' });
    const first = await running.api.post(`/v1/products/${product.code}/prices`, { unitPrice: '50', currency: 'USD', effectiveFrom: '2026-01-01' });
    expect(first.status).toBe(201);
    const read = await running.api.get<{ prices: Array<{ unitPrice: string; effectiveFrom: string }> }>(`/v1/products/${product.code}`);
    expect(read.body.prices.map((p) => [p.effectiveFrom, p.unitPrice])).toEqual([
      ['2026-01-01', '50.00'],
      ['2026-07-01', '55.00'],
    ]);
    const [stored] = await sql<{ unit_price: string }>("select unit_price::text from catalog.price_version where effective_from = '2026-01-01'");
    expect(stored.unit_price).toBe('50.00');
  });

  it('R1.3 resolves the prices of several products over a range in one request/reply call', async () => {
    await running.api.post('/v1/products', { ...product, code: 'text-chatbot', unit: 'channel', features: ['OIAP'] });
    await running.api.post('/v1/products/text-chatbot/prices', { unitPrice: '10.00', currency: 'USD', effectiveFrom: '2025-01-01' });
    const reply = await rpc.request<ResolvePricesReply>(PATTERNS.catalogResolvePrices, {
      productCodes: ['basic-cec', 'text-chatbot', 'nope'],
      from: '2026-06-01',
      to: '2026-07-31',
    });
    expect(reply.prices).toEqual({
      'basic-cec': [
        { unitPrice: '50.00', currency: 'USD', effectiveFrom: '2026-01-01' },
        { unitPrice: '55.00', currency: 'USD', effectiveFrom: '2026-07-01' },
      ],
      'text-chatbot': [{ unitPrice: '10.00', currency: 'USD', effectiveFrom: '2025-01-01' }],
    });
    const lookedUp = await rpc.request<GetProductReply>(PATTERNS.catalogGetProduct, { code: 'text-chatbot' });
    expect(lookedUp.product).toMatchObject({ code: 'text-chatbot', unit: 'channel', billingModes: ['pay_per_use'] });
    const missing = await rpc.request<GetProductReply>(PATTERNS.catalogGetProduct, { code: 'nope' });
    expect(missing.product).toBeNull();
  });

  describe('R8.1 bad input answers 4xx with the contract error body and changes nothing', () => {
    const cases: Array<[string, string, string, unknown, number, string, RegExp]> = [
      ['duplicate code', 'POST', '/v1/products', product, 409, 'PRODUCT_CODE_EXISTS', /basic-cec/],
      ['bad unit', 'POST', '/v1/products', { ...product, code: 'x1', unit: 'seat' }, 400, 'VALIDATION_FAILED', /unit/],
      ['bad code', 'POST', '/v1/products', { ...product, code: 'Not A Code' }, 400, 'VALIDATION_FAILED', /code/],
      ['missing name', 'POST', '/v1/products', { ...product, code: 'x2', name: undefined }, 400, 'VALIDATION_FAILED', /name/],
      ['other billing mode', 'POST', '/v1/products', { ...product, code: 'x3', billingModes: ['monthly'] }, 400, 'UNSUPPORTED_BILLING_MODE', /billingModes/],
      ['unknown field', 'POST', '/v1/products', { ...product, code: 'x4', colour: 'red' }, 400, 'VALIDATION_FAILED', /colour/],
      ['price for unknown product', 'POST', '/v1/products/nope/prices', { unitPrice: '1.00', currency: 'USD', effectiveFrom: '2026-01-01' }, 404, 'PRODUCT_NOT_FOUND', /nope/],
      ['price version with a taken date', 'POST', '/v1/products/basic-cec/prices', { unitPrice: '99.00', currency: 'USD', effectiveFrom: '2026-01-01' }, 409, 'PRICE_VERSION_EXISTS', /2026-01-01/],
      ['price as a number', 'POST', '/v1/products/basic-cec/prices', { unitPrice: 50, currency: 'USD', effectiveFrom: '2026-02-01' }, 400, 'VALIDATION_FAILED', /unitPrice/],
      ['price with 3 decimals', 'POST', '/v1/products/basic-cec/prices', { unitPrice: '50.001', currency: 'USD', effectiveFrom: '2026-02-01' }, 400, 'VALIDATION_FAILED', /unitPrice/],
      ['negative price', 'POST', '/v1/products/basic-cec/prices', { unitPrice: '-5.00', currency: 'USD', effectiveFrom: '2026-02-01' }, 400, 'VALIDATION_FAILED', /unitPrice/],
      ['bad currency', 'POST', '/v1/products/basic-cec/prices', { unitPrice: '5.00', currency: 'EUR', effectiveFrom: '2026-02-01' }, 400, 'VALIDATION_FAILED', /currency/],
      ['bad date', 'POST', '/v1/products/basic-cec/prices', { unitPrice: '5.00', currency: 'USD', effectiveFrom: '2026-02-30' }, 400, 'VALIDATION_FAILED', /effectiveFrom/],
      ['unknown product', 'GET', '/v1/products/nope', undefined, 404, 'PRODUCT_NOT_FOUND', /nope/],
    ];

    it.each(cases)('%s', async (_name, method, path, body, status, code, message) => {
      const before = await counts();
      const response = method === 'GET' ? await running.api.get(path) : await running.api.post(path, body);
      expect(response.status).toBe(status);
      expect(response.body).toEqual({ statusCode: status, code, message: expect.stringMatching(message) });
      expect(await counts()).toEqual(before);
    });

    it('malformed JSON is a 400', async () => {
      const before = await counts();
      const response = await running.api.raw('POST', '/v1/products', '{"code": ');
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(/JSON/) });
      expect(await counts()).toEqual(before);
    });

    it('a missing or wrong token is a 401', async () => {
      const before = await counts();
      const anonymous = await running.api.withToken(null).post('/v1/products', { ...product, code: 'x9' });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
      const wrong = await running.api.withToken('not-the-token-at-all-0000').get('/v1/products');
      expect(wrong.status).toBe(401);
      expect(await counts()).toEqual(before);
    });
  });

  it('serves /health without a token, and OpenAPI at /docs-json', async () => {
    const health = await running.api.withToken(null).get<{ status: string }>('/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    const docs = await running.api.withToken(null).get<{ paths: Record<string, unknown> }>('/docs-json');
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/v1/products', '/v1/products/{code}', '/v1/products/{code}/prices']));
  });
});
