// Scenario: bad input across the four apps answers 4xx with a code and a sentence, changing nothing.
// Rules: R3.1, R3.2, R5.1, R7.5, R8.1
import { Platform, unique } from '../support/platform';

describe('R8.1 bad input, end to end', () => {
  const platform = new Platform();
  afterAll(() => platform.close());

  it('answers 400/401/404/409 with {statusCode, code, message} naming the problem', async () => {
    const product = await platform.product('agent', [['2025-01-01', '30.00']], 'r8');
    const account = await platform.account('R8');
    const cases: Array<[string, Promise<{ status: number; body: unknown }>, number, string, RegExp]> = [
      ['no token', platform.billing.withToken(null).get(`/v1/accounts/${account}/balance`), 401, 'UNAUTHORIZED', /token/i],
      ['unknown product code', platform.catalog.get('/v1/products/nope-nope'), 404, 'PRODUCT_NOT_FOUND', /nope-nope/],
      ['duplicate product', platform.catalog.post('/v1/products', { code: product, name: 'x', unit: 'agent', features: [], billingModes: ['pay_per_use'] }), 409, 'PRODUCT_CODE_EXISTS', /exists/],
      ['other billing mode', platform.subscription.post('/v1/subscriptions', { accountId: account, productCode: product, quantity: 1, billingMode: 'yearly', enabledAt: '2025-01-01T00:00:00+08:00' }), 400, 'UNSUPPORTED_BILLING_MODE', /pay_per_use/],
      ['fractional quantity', platform.subscription.post('/v1/subscriptions', { accountId: account, productCode: product, quantity: 1.5, billingMode: 'pay_per_use', enabledAt: '2025-01-01T00:00:00+08:00' }), 400, 'VALIDATION_FAILED', /quantity/],
      ['instant without offset', platform.subscription.post('/v1/subscriptions', { accountId: account, productCode: product, quantity: 1, billingMode: 'pay_per_use', enabledAt: '2025-01-01T00:00:00' }), 400, 'VALIDATION_FAILED', /enabledAt/],
      ['unknown account', platform.subscription.post('/v1/subscriptions', { accountId: unique('ghost'), productCode: product, quantity: 1, billingMode: 'pay_per_use', enabledAt: '2025-01-01T00:00:00+08:00' }), 404, 'ACCOUNT_NOT_FOUND', /account/i],
      ['rate of 1', platform.billing.post('/v1/discounts', { accountId: account, rate: '1', effectiveFrom: '2025-01-01' }), 400, 'VALIDATION_FAILED', /rate/],
      ['rate with 5 decimals', platform.billing.post('/v1/discounts', { accountId: account, rate: '0.12345', effectiveFrom: '2025-01-01' }), 400, 'VALIDATION_FAILED', /rate/],
      ['top-up as a number', platform.billing.post(`/v1/accounts/${account}/top-ups`, { amount: 10, reference: 'x' }), 400, 'VALIDATION_FAILED', /amount/],
      ['top-up of unknown account', platform.billing.post(`/v1/accounts/${unique('ghost')}/top-ups`, { amount: '10.00', reference: 'x' }), 404, 'ACCOUNT_NOT_FOUND', /account/i],
      ['too many usage events', platform.metering.post('/v1/usage-events', { events: Array.from({ length: 1001 }, (_, i) => ({ id: `e${i}`, subscriptionId: 's', quantity: 1, timestamp: '2025-01-01T00:00:00Z' })) }), 400, 'VALIDATION_FAILED', /events/],
      ['usage for a bad period', platform.metering.get('/v1/usage?subscriptionId=x&period=2025-1'), 400, 'VALIDATION_FAILED', /period/],
    ];
    for (const [name, pending, status, code, message] of cases) {
      const response = await pending;
      expect({ name, status: response.status, body: response.body }).toEqual({ name, status, body: { statusCode: status, code, message: expect.stringMatching(message) } });
    }
    // nothing changed: no subscription, no discount, no ledger entry for the account
    expect((await platform.subscription.get<unknown[]>(`/v1/accounts/${account}/subscriptions`)).body).toEqual([]);
    expect(await platform.ledger(account)).toEqual([]);
    expect((await platform.billing.get<unknown[]>(`/v1/accounts/${account}/discounts`)).body).toEqual([]);
  });
});
