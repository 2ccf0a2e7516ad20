// Scenario: the scheduler fires at 00:00 UTC+8 on the first of the month, driven by the test clock.
// Rules: R2.1, R7.1, R7.4
import { Platform, eventually, BillingRun } from '../support/platform';

describe('R7.1 the monthly run at 00:00 UTC+8 on the 1st, through the test clock', () => {
  const platform = new Platform();
  afterAll(async () => {
    await platform.billing.delete('/v1/test/clock');
    await platform.close();
  });

  it('moving the clock across 2026-12-01T00:00:00+08:00 runs November with trigger "schedule"', async () => {
    const product = await platform.product('agent', [['2026-01-01', '30.00']], 'sched');
    const account = await platform.account('scheduler');
    const sub = await platform.subscribe(account, product, 1, '2026-11-01T00:00:00+08:00');
    await platform.usage(sub, '2026-11', 30);

    // one minute before midnight in UTC+8 (15:59 UTC): nothing runs for November
    const before = await platform.billing.put<{ now: string }>('/v1/test/clock', { now: '2026-11-30T23:59:00+08:00' });
    expect(before.status).toBe(200);
    expect((await platform.billing.post('/v1/billing-runs', { period: '2026-11' })).status).toBe(409);
    expect((await platform.billing.get<BillingRun[]>('/v1/billing-runs?period=2026-11')).body).toEqual([]);

    // crossing 00:00 of the 1st in UTC+8 (16:00 UTC the day before) fires the scheduler
    expect((await platform.billing.put('/v1/test/clock', { now: '2026-11-30T16:00:30Z' })).status).toBe(200);
    const run = await eventually('the scheduled run for 2026-11', async () => {
      const runs = (await platform.billing.get<BillingRun[]>('/v1/billing-runs?period=2026-11')).body;
      return runs.find((r) => r.status === 'completed');
    });
    expect(run.trigger).toBe('schedule');
    const [bill] = await platform.bills(account, '2026-11');
    expect(bill).toMatchObject({ period: '2026-11', total: '30.00' });
  });
});
