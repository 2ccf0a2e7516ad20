// Scenario: a client creates a subscription and reports usage for it at once, before metering has
// learned the subscription through the outbox (issue 9 finding 3). REST only.
// Rules: R6.1, R6.3, R4.1; findings #9.3, #8.6
import { Platform, unique } from '../support/platform';

interface ReportResult {
  accepted: number;
  parked: number;
  duplicates: number;
  rejected: Array<{ id: string | null; code: string; message: string }>;
}

describe('#9.3 usage reported in the same millisecond as its subscription is created, end to end', () => {
  const platform = new Platform();
  afterAll(() => platform.close());

  it('#9.3 create subscription and report usage in the same millisecond → usage counted in GET /v1/usage', async () => {
    const product = await platform.product('agent', [['2025-01-01', '30.00']], 'p93');
    const account = await platform.account('#9.3');
    const sub = await platform.subscribe(account, product, 2, '2025-06-01T00:00:00+08:00');
    // no wait: metering learns the subscription about a second later, through the outbox
    const events = [
      { id: unique('evt'), subscriptionId: sub, quantity: 5, timestamp: '2025-06-10T09:00:00+08:00' },
      { id: unique('evt'), subscriptionId: sub, quantity: 3, timestamp: '2025-06-20T09:00:00+08:00' },
    ];
    const response = await platform.metering.post<ReportResult>('/v1/usage-events', { events });
    expect(response.status).toBe(202);
    expect(response.body.accepted).toBe(2);
    expect(response.body.rejected).toEqual([]);
    // days 1-9: 2; days 10-20: 5 (day 20 held 5 until 09:00, R4.1); days 21-30: 3 → 18 + 55 + 30 = 103
    const usage = await platform.usage(sub, '2025-06', 103);
    expect(usage.days.find((d) => d.date === '2025-06-10')?.quantity).toBe(5);
    // nothing was dead-lettered for it
    const rejected = await platform.metering.get<Array<{ payload: unknown }>>('/v1/usage-events/rejected?limit=1000');
    expect(rejected.body.filter((entry) => JSON.stringify(entry.payload).includes(sub))).toEqual([]);
  });

  it('#8.6 the same event id with other content is refused EVENT_ID_CONFLICT; with the same content it is a duplicate', async () => {
    const product = await platform.product('agent', [['2025-01-01', '30.00']], 'p86');
    const account = await platform.account('#8.6');
    const sub = await platform.subscribe(account, product, 1, '2025-06-01T00:00:00+08:00');
    const event = { id: unique('evt'), subscriptionId: sub, quantity: 4, timestamp: '2025-06-15T09:00:00+08:00' };
    expect((await platform.metering.post<ReportResult>('/v1/usage-events', { events: [event] })).body.accepted).toBe(1);
    const again = await platform.metering.post<ReportResult>('/v1/usage-events', { events: [event, { ...event, quantity: 9 }] });
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 1, rejected: [{ id: event.id, code: 'EVENT_ID_CONFLICT' }] });
    const usage = await platform.usage(sub, '2025-06');
    expect(usage.days.find((d) => d.date === '2025-06-15')?.quantity).toBe(4);
  });
});
