// Scenario: usage events from the agent platform: idempotent, out of order, malformed, and late.
// Rules: R3.4, R6.1, R6.2, R6.3, R4.1
import { randomUUID } from 'node:crypto';
import { Platform, eventually, unique } from '../support/platform';
import { expectLedgerInvariant } from '../support/ledger-invariant';

describe('R6 usage events, end to end', () => {
  const platform = new Platform();
  afterAll(() => platform.close());

  it('R6.1/R3.4: the same event id over REST and JetStream counts once; out-of-order events are placed by time', async () => {
    const product = await platform.product('channel', [['2025-01-01', '30.00']], 'r61');
    const account = await platform.account('R6.1');
    const sub = await platform.subscribe(account, product, 1, '2025-09-01T00:00:00+08:00');
    await platform.usage(sub, '2025-09', 30);
    const later = { id: unique('evt'), subscriptionId: sub, quantity: 2, timestamp: '2025-09-20T08:00:00+08:00' };
    const earlier = { id: unique('evt'), subscriptionId: sub, quantity: 4, timestamp: '2025-09-10T08:00:00+08:00' };
    // the later report arrives first; the earlier one after it
    const first = await platform.metering.post('/v1/usage-events', { events: [later] });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });
    await platform.reportUsage([earlier, earlier, later]);
    // days 1-9: 1; days 10-19: 4; day 20: max(4, 2) = 4; days 21-30: 2 → 9 + 44 + 20 = 73
    await platform.usage(sub, '2025-09', 73);
    const again = await platform.metering.post('/v1/usage-events', { events: [later, earlier] });
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 2, rejected: [] });
    const usage = await platform.usage(sub, '2025-09', 73);
    expect(usage.days.find((d) => d.date === '2025-09-20')?.quantity).toBe(4);
    expect(usage.days.find((d) => d.date === '2025-09-21')?.quantity).toBe(2);
  });

  it('R6.3: malformed events are refused with a reason and dead-lettered, the good ones land', async () => {
    const product = await platform.product('channel', [['2025-01-01', '30.00']], 'r63');
    const account = await platform.account('R6.3');
    const sub = await platform.subscribe(account, product, 1, '2025-10-01T00:00:00+08:00');
    await platform.usage(sub, '2025-10', 31);
    const good = { id: unique('evt'), subscriptionId: sub, quantity: 3, timestamp: '2025-10-31T12:00:00+08:00' };
    const badIds = { negative: unique('bad'), fraction: unique('bad'), instant: unique('bad'), unknown: unique('bad') };
    const response = await platform.metering.post<{ accepted: number; parked: number; duplicates: number; rejected: Array<{ id: string | null; code: string; message: string }> }>(
      '/v1/usage-events',
      {
        events: [
          { id: badIds.negative, subscriptionId: sub, quantity: -1, timestamp: '2025-10-05T00:00:00+08:00' },
          good,
          { id: badIds.fraction, subscriptionId: sub, quantity: 1.5, timestamp: '2025-10-05T00:00:00+08:00' },
          { id: badIds.instant, subscriptionId: sub, quantity: 1, timestamp: '2025-10-05 00:00' },
          { id: badIds.unknown, subscriptionId: 'sub_does_not_exist', quantity: 1, timestamp: '2025-10-05T00:00:00+08:00' },
          { subscriptionId: sub, quantity: 1, timestamp: '2025-10-05T00:00:00+08:00' },
        ],
      },
    );
    expect(response.status).toBe(202);
    // #9.3: the event for a subscription metering does not know is accepted and parked (counted if
    // it appears; dead-lettered UNKNOWN_SUBSCRIPTION after PARKED_USAGE_TTL_SECONDS if it never does)
    expect(response.body).toMatchObject({ accepted: 2, parked: 1 });
    expect(response.body.rejected).toHaveLength(4);
    for (const rejected of response.body.rejected) {
      expect(rejected.code).toMatch(/^[A-Z_]+$/);
      expect(rejected.message.length).toBeGreaterThan(5);
    }
    expect(response.body.rejected.find((r) => r.id === badIds.unknown)).toBeUndefined();
    // one malformed JetStream message does not stop the good ones behind it
    const viaNats = { id: unique('evt'), subscriptionId: sub, quantity: 5, timestamp: '2025-10-31T13:00:00+08:00' };
    await platform.reportUsage([{ id: unique('bad'), subscriptionId: sub, quantity: -3, timestamp: '2025-10-31T13:00:00+08:00' }, viaNats]);
    const usage = await platform.usage(sub, '2025-10', 30 + 5);
    expect(usage.days.find((d) => d.date === '2025-10-31')?.quantity).toBe(5);
    const dead = await eventually('dead letters', async () => {
      const list = await platform.metering.get<Array<{ id: string | null; source: string; code: string; message: string; payload: unknown; receivedAt: string }>>(
        '/v1/usage-events/rejected',
      );
      const ours = list.body.filter((entry) => JSON.stringify(entry.payload).includes(sub));
      return ours.length >= 5 && ours.some((entry) => entry.source === 'nats') ? ours : undefined;
    });
    expect(dead.map((entry) => entry.source)).toEqual(expect.arrayContaining(['rest', 'nats']));
  });

  it('R6.2: a late event for a billed month is billed as an adjustment line on the next bill (up and down)', async () => {
    const product = await platform.product('agent', [['2025-01-01', '30.00']], 'r62');
    const up = await platform.account('R6.2 up');
    const down = await platform.account('R6.2 down');
    const upSub = await platform.subscribe(up, product, 10, '2025-03-01T00:00:00+08:00');
    const downSub = await platform.subscribe(down, product, 10, '2025-03-01T00:00:00+08:00');
    await platform.usage(upSub, '2025-03', 310);
    await platform.usage(downSub, '2025-03', 310);
    await platform.run('2025-03');
    expect((await platform.bills(up, '2025-03'))[0].total).toBe('300.00');
    expect((await platform.bills(down, '2025-03'))[0].total).toBe('300.00');

    // late reports for March, arriving after March was billed
    await platform.reportUsage([
      { id: `late-${randomUUID()}`, subscriptionId: upSub, quantity: 20, timestamp: '2025-03-31T12:00:00+08:00' },
      { id: `late-${randomUUID()}`, subscriptionId: downSub, quantity: 4, timestamp: '2025-03-20T00:00:00+08:00' },
    ]);
    await platform.usage(upSub, '2025-03', 320);
    await platform.usage(downSub, '2025-03', 238);
    await platform.run('2025-04');

    const [upBill] = await platform.bills(up, '2025-04');
    // April at 20 agents: 600.00; March re-rated 320 * 30 / 31 = 309.68 vs 300.00 billed: +9.68
    expect(upBill.lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'usage', forPeriod: '2025-04', quantityDays: 600, amount: '600.00' }),
        expect.objectContaining({ kind: 'adjustment', forPeriod: '2025-03', subscriptionId: upSub, quantityDays: 10, amount: '9.68' }),
      ]),
    );
    expect(upBill.total).toBe('609.68');

    const [downBill] = await platform.bills(down, '2025-04');
    // April at 4 agents: 120.00; March re-rated 238 * 30 / 31 = 230.32 vs 300.00 billed: -69.68
    expect(downBill.lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'usage', forPeriod: '2025-04', quantityDays: 120, amount: '120.00' }),
        expect.objectContaining({ kind: 'adjustment', forPeriod: '2025-03', quantityDays: -72, amount: '-69.68' }),
      ]),
    );
    expect(downBill.total).toBe('50.32');
    // the March bills themselves never change
    expect((await platform.bills(up, '2025-03'))[0].total).toBe('300.00');
    await expectLedgerInvariant(platform, up);
    await expectLedgerInvariant(platform, down);
  });
});
