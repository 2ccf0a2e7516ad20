// Scenario: commercial discounts (E4), precedence and overlap.
// Rules: R4.2, R4.3, R4.4, R5.1, R5.2, R8.1
import { Platform } from '../support/platform';

describe('R5 commercial discounts, end to end', () => {
  const platform = new Platform();
  afterAll(() => platform.close());

  it('E4: an account-wide 0.20 discount from 2025-06-16 on 10 agents at 30.00: list 300.00, discount 30.00, amount 270.00', async () => {
    const product = await platform.product('agent', [['2025-01-01', '30.00']], 'e4');
    const account = await platform.account('E4');
    const sub = await platform.subscribe(account, product, 10, '2025-06-01T00:00:00+08:00');
    await platform.discount({ accountId: account, rate: '0.20', effectiveFrom: '2025-06-16' });
    await platform.usage(sub, '2025-06', 300);
    await platform.run('2025-06');
    const [bill] = await platform.bills(account, '2025-06');
    expect(bill.lines).toEqual([expect.objectContaining({ quantityDays: 300, listAmount: '300.00', discountAmount: '30.00', amount: '270.00' })]);
    expect(bill.total).toBe('270.00');
  });

  it('R5.2: a product discount beats an all-products one on the days both apply; same-scope overlap is refused', async () => {
    const product = await platform.product('agent', [['2025-01-01', '31.00']], 'r52');
    const account = await platform.account('R5.2');
    const sub = await platform.subscribe(account, product, 1, '2025-05-01T00:00:00+08:00');
    await platform.discount({ accountId: account, rate: '0.10', effectiveFrom: '2025-01-01' });
    await platform.discount({ accountId: account, productCode: product, rate: '0.50', effectiveFrom: '2025-05-11', effectiveTo: '2025-05-21' });
    const overlap = await platform.billing.post('/v1/discounts', { accountId: account, rate: '0.05', effectiveFrom: '2025-03-01' });
    expect(overlap.status).toBe(409);
    expect(overlap.body).toMatchObject({ statusCode: 409, code: 'DISCOUNT_OVERLAP' });
    await platform.usage(sub, '2025-05', 31);
    await platform.run('2025-05');
    const [bill] = await platform.bills(account, '2025-05');
    // 21 days at 10 % (0.90 each) + 10 days at 50 % (0.50 each) = 18.90 + 5.00 = 23.90
    expect(bill.lines).toEqual([expect.objectContaining({ quantityDays: 31, listAmount: '31.00', discountAmount: '7.10', amount: '23.90' })]);
  });
});
