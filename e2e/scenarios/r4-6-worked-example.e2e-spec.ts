// Scenario: the worked example of R4.6 / E7, through all four apps.
// Rules: R1.3, R2.1, R3.2, R4.1, R4.3, R4.4, R4.5, R4.6, R5.1, R7.1, R7.4
import { Platform } from '../support/platform';
import { expectLedgerInvariant } from '../support/ledger-invariant';

describe('R4.6 / E7: 10 agents from 2026-04-16T09:30:00+08:00 at 50.00 per agent-month', () => {
  const platform = new Platform();
  afterAll(() => platform.close());

  it('bills 150 agent-days = 250.00, and 212.50 with a 15 % commercial discount', async () => {
    const product = await platform.product('agent', [['2026-01-01', '50.00']], 'r46');
    const plain = await platform.account('R4.6 plain');
    const discounted = await platform.account('R4.6 discounted');
    const plainSub = await platform.subscribe(plain, product, 10, '2026-04-16T09:30:00+08:00');
    const discountedSub = await platform.subscribe(discounted, product, 10, '2026-04-16T09:30:00+08:00');
    await platform.discount({ accountId: discounted, rate: '0.15', effectiveFrom: '2026-01-01' });
    await platform.usage(plainSub, '2026-04', 150);
    await platform.usage(discountedSub, '2026-04', 150);

    await platform.run('2026-04');

    const [bill] = await platform.bills(plain, '2026-04');
    expect(bill).toMatchObject({ period: '2026-04', currency: 'USD', total: '250.00', status: 'unpaid', paidAmount: '0.00', outstandingAmount: '250.00' });
    expect(bill.lines).toEqual([
      expect.objectContaining({ kind: 'usage', subscriptionId: plainSub, productCode: product, forPeriod: '2026-04', quantityDays: 150, daysInPeriod: 30, listAmount: '250.00', discountAmount: '0.00', amount: '250.00' }),
    ]);

    const [withDiscount] = await platform.bills(discounted, '2026-04');
    expect(withDiscount.total).toBe('212.50');
    expect(withDiscount.lines).toEqual([
      expect.objectContaining({ quantityDays: 150, daysInPeriod: 30, listAmount: '250.00', discountAmount: '37.50', amount: '212.50' }),
    ]);

    await expectLedgerInvariant(platform, plain);
    await expectLedgerInvariant(platform, discounted);
  });
});
