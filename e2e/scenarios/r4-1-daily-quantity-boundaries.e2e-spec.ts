// Scenario: the daily quantity of R4.1 at its boundaries (examples E1, E2, E3), priced and billed.
// Rules: R2.1, R2.3, R3.2, R4.1, R4.3, R4.4, R4.5
import { Platform } from '../support/platform';

describe('R4.1 daily quantity boundaries, end to end', () => {
  const platform = new Platform();
  afterAll(() => platform.close());

  it('E1: 6 agents from 2025-07-09T15:20:00+08:00 at 45.00: 138 agent-days, 200.32', async () => {
    const product = await platform.product('agent', [['2025-01-01', '45.00']], 'e1');
    const account = await platform.account('E1');
    const sub = await platform.subscribe(account, product, 6, '2025-07-09T15:20:00+08:00');
    await platform.usage(sub, '2025-07', 138);
    await platform.run('2025-07');
    const [bill] = await platform.bills(account, '2025-07');
    expect(bill.lines).toEqual([expect.objectContaining({ quantityDays: 138, daysInPeriod: 31, listAmount: '200.32', discountAmount: '0.00', amount: '200.32' })]);
  });

  it('E2 / R2.3: enabled at 2025-08-31T16:00:00Z (Sep 1 00:00 UTC+8): no August bill, September 45.00', async () => {
    const product = await platform.product('agent', [['2025-01-01', '45.00']], 'e2');
    const account = await platform.account('E2');
    const sub = await platform.subscribe(account, product, 1, '2025-08-31T16:00:00Z');
    await platform.usage(sub, '2025-09', 30);
    expect((await platform.usage(sub, '2025-08')).quantityDays).toBe(0);
    await platform.run('2025-08');
    expect(await platform.bills(account, '2025-08')).toEqual([]);
    await platform.run('2025-09');
    const [bill] = await platform.bills(account, '2025-09');
    expect(bill.total).toBe('45.00');
    expect(bill.lines).toEqual([expect.objectContaining({ quantityDays: 30, daysInPeriod: 30, amount: '45.00' })]);
  });

  it('E3: a five-minute peak of 9 channels counts the whole day: 96 channel-days, 64.00', async () => {
    const product = await platform.product('channel', [['2025-01-01', '20.00']], 'e3');
    const account = await platform.account('E3');
    const sub = await platform.subscribe(account, product, 3, '2025-11-01T00:00:00+08:00');
    await platform.change(sub, { effectiveAt: '2025-11-05T10:00:00+08:00', quantity: 9 });
    await platform.change(sub, { effectiveAt: '2025-11-05T10:05:00+08:00', quantity: 3 });
    const usage = await platform.usage(sub, '2025-11', 96);
    expect(usage.days.find((day) => day.date === '2025-11-05')?.quantity).toBe(9);
    expect(usage.days.find((day) => day.date === '2025-11-06')?.quantity).toBe(3);
    await platform.run('2025-11');
    const [bill] = await platform.bills(account, '2025-11');
    expect(bill.lines).toEqual([expect.objectContaining({ quantityDays: 96, daysInPeriod: 30, amount: '64.00' })]);
  });

  it('a cancel at exactly 00:00:00 UTC+8 does not charge the new day; a change at 00:00:00 belongs to the new day only', async () => {
    const product = await platform.product('agent', [['2025-01-01', '31.00']], 'mid');
    const account = await platform.account('midnight');
    const sub = await platform.subscribe(account, product, 2, '2025-12-01T00:00:00+08:00');
    await platform.change(sub, { effectiveAt: '2025-12-05T00:00:00+08:00', quantity: 5 });
    await platform.cancel(sub, '2025-12-11T00:00:00+08:00');
    // days 1-4: 2, days 5-10: 5, day 11 onwards: 0 → 8 + 30 = 38 agent-days; 38 * 31 / 31 = 38.00
    const usage = await platform.usage(sub, '2025-12', 38);
    expect(usage.days.find((day) => day.date === '2025-12-04')?.quantity).toBe(2);
    expect(usage.days.find((day) => day.date === '2025-12-05')?.quantity).toBe(5);
    expect(usage.days.find((day) => day.date === '2025-12-11')?.quantity ?? 0).toBe(0);
    await platform.run('2025-12');
    const [bill] = await platform.bills(account, '2025-12');
    expect(bill.total).toBe('38.00');
  });
});
