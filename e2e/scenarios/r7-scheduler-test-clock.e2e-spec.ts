// Scenario: the scheduler fires at 00:00 UTC+8 on the first of the month, driven by the test clock.
// Rules: R2.1, R7.1, R7.4
import { DateTime } from 'luxon';
import { Platform, eventually, BillingRun } from '../support/platform';

describe('R7.1 the monthly run at 00:00 UTC+8 on the 1st, through the test clock', () => {
  const platform = new Platform();
  afterAll(async () => {
    await platform.billing.delete('/v1/test/clock');
    await platform.close();
  });

  // The month is the one the real clock is in (UTC+8), not a fixed one: the account is created by
  // the subscription app on the real clock, and an account created after a fixed month has ended
  // is rightly not billed for it by the scheduler (this test failed once the real clock passed
  // 2026-12-01T00:00:00+08:00). The test clock then moves forward from there, never back.
  it('moving the clock across 00:00:00 UTC+8 on the 1st runs the month that ended, with trigger "schedule"', async () => {
    const start = DateTime.now().setZone('UTC+8').startOf('month');
    const period = start.toFormat('yyyy-MM');
    const end = start.plus({ months: 1 });
    const product = await platform.product('agent', [['2026-01-01', '30.00']], 'sched');
    const account = await platform.account('scheduler');
    const sub = await platform.subscribe(account, product, 1, start.toISO({ suppressMilliseconds: true }) as string);
    await platform.usage(sub, period, start.daysInMonth);

    // one minute before midnight in UTC+8 on the last day: nothing runs for the month
    const before = await platform.billing.put<{ now: string }>('/v1/test/clock', { now: end.minus({ minutes: 1 }).toISO({ suppressMilliseconds: true }) });
    expect(before.status).toBe(200);
    expect((await platform.billing.post('/v1/billing-runs', { period })).status).toBe(409);
    expect((await platform.billing.get<BillingRun[]>(`/v1/billing-runs?period=${period}`)).body).toEqual([]);

    // crossing 00:00 of the 1st in UTC+8 (16:00 UTC the day before) fires the scheduler
    expect((await platform.billing.put('/v1/test/clock', { now: end.plus({ seconds: 30 }).toUTC().toISO({ suppressMilliseconds: true }) })).status).toBe(200);
    const run = await eventually(`the scheduled run for ${period}`, async () => {
      const runs = (await platform.billing.get<BillingRun[]>(`/v1/billing-runs?period=${period}`)).body;
      return runs.find((r) => r.status === 'completed');
    });
    expect(run.trigger).toBe('schedule');
    const [bill] = await platform.bills(account, period);
    expect(bill).toMatchObject({ period, total: '30.00' });
  });
});
