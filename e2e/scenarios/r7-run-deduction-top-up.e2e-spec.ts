// Scenario: the monthly run and deduction: E5, E6, repeated runs, runs for months not ended.
// Rules: R7.1, R7.2, R7.4, R7.5, R7.6, R8.1
import { Platform, eventually } from '../support/platform';
import { expectLedgerInvariant } from '../support/ledger-invariant';

describe('R7 run, deduction and top-ups, end to end', () => {
  const platform = new Platform();
  afterAll(() => platform.close());

  it('E5/E6: partial deduction leaves the account in arrears; a top-up settles it; the same top-up again changes nothing', async () => {
    const product = await platform.product('agent', [['2025-01-01', '30.00']], 'e5');
    const account = await platform.account('E5');
    const sub = await platform.subscribe(account, product, 10, '2025-02-01T00:00:00+08:00');
    await platform.discount({ accountId: account, rate: '0.20', effectiveFrom: '2025-02-15' });
    expect((await platform.topUp(account, '100.00', 'pre-run')).status).toBe(201);
    await platform.usage(sub, '2025-02', 280);
    await platform.run('2025-02');

    // February has 28 days: list 300.00; 14 days discounted 20 %: 270.00 — the shape of E4/E5
    const [bill] = await platform.bills(account, '2025-02');
    expect(bill).toMatchObject({ total: '270.00', paidAmount: '100.00', outstandingAmount: '170.00', status: 'partially_paid' });
    expect(await platform.balance(account)).toMatchObject({ balance: '0.00', outstanding: '170.00', status: 'in_arrears' });

    const topUp = await platform.topUp(account, '200.00', 't-1');
    expect(topUp.status).toBe(201);
    expect(topUp.body).toMatchObject({ balance: '30.00' });
    const [settled] = await platform.bills(account, '2025-02');
    expect(settled).toMatchObject({ status: 'paid', outstandingAmount: '0.00', paidAmount: '270.00' });
    expect(await platform.balance(account)).toMatchObject({ balance: '30.00', outstanding: '0.00', status: 'active' });

    const ledgerBefore = await platform.ledger(account);
    const repeated = await platform.topUp(account, '200.00', 't-1');
    expect(repeated.status).toBe(200);
    expect(repeated.body).toEqual(topUp.body);
    const conflicting = await platform.topUp(account, '250.00', 't-1');
    expect(conflicting.status).toBe(409);
    expect(conflicting.body).toMatchObject({ statusCode: 409, code: 'TOP_UP_REFERENCE_CONFLICT' });
    expect(await platform.ledger(account)).toEqual(ledgerBefore);
    expect((await platform.balance(account)).balance).toBe('30.00');
    await expectLedgerInvariant(platform, account);
  });

  it('R7.2: repeating a run issues no second bill and no second deduction', async () => {
    const product = await platform.product('agent', [['2025-01-01', '10.00']], 'r72');
    const account = await platform.account('R7.2');
    const sub = await platform.subscribe(account, product, 3, '2025-01-01T00:00:00+08:00');
    await platform.topUp(account, '1000.00', 'r72-funds');
    await platform.usage(sub, '2025-01', 93);
    const first = await platform.run('2025-01');
    expect(first.status).toBe('completed');
    const afterFirst = await platform.ledger(account);
    const second = await platform.run('2025-01');
    expect(second.id).not.toBe(first.id);
    const bills = await platform.bills(account, '2025-01');
    expect(bills).toHaveLength(1);
    expect(bills[0]).toMatchObject({ total: '30.00', status: 'paid' });
    expect(await platform.ledger(account)).toEqual(afterFirst);
    expect((await platform.balance(account)).balance).toBe('970.00');
    const runs = await platform.billing.get<Array<{ id: string }>>('/v1/billing-runs?period=2025-01');
    expect(runs.body.map((run) => run.id).slice(0, 2)).toEqual([second.id, first.id]);
    await expectLedgerInvariant(platform, account);
  });

  it('R7.2/R8.1: a run for a month that has not ended is refused with 409, and starts nothing', async () => {
    const clock = await platform.billing.get<{ now: string }>('/v1/test/clock');
    expect(clock.status).toBe(200);
    const future = await platform.billing.post('/v1/billing-runs', { period: '2099-01' });
    expect(future.status).toBe(409);
    expect(future.body).toMatchObject({ statusCode: 409, code: 'PERIOD_NOT_ENDED' });
    const bad = await platform.billing.post('/v1/billing-runs', { period: '2025-13' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(/period/) });
    const runs = await eventually('run list', async () => (await platform.billing.get<unknown[]>('/v1/billing-runs?period=2099-01')).body);
    expect(runs).toEqual([]);
  });
});
