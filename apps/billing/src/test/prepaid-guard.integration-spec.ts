import { NatsConnection } from 'nats';
import { AccountBalanceGuardEvent, SUBJECTS } from '@cec/contracts';
import { connectNats, resetSchema, RunningTestApp, sql, TEST_OPERATOR_TOKEN, useTestEnvironment } from '@cec/testing';
import { BILLING_ORM } from '../billing.module-def';
import { days, FakeCatalog, FakeMetering } from './support/fake-apps';
import { billsOf, createAccount, eventsOn, resetBillingStreams, startBilling, uniqueId, waitFor } from './support/billing-harness';

useTestEnvironment();

interface BalanceBody {
  accountId: string;
  balance: string;
  outstanding: string;
  accruedThisPeriod: string;
  accruedUnbilled: string;
  projectedBalance: string;
  lowBalanceThreshold: string | null;
  guardState: string;
}

const PERIOD = '2026-04';
/** Today is April 10th (UTC+8): 10 of the month's 30 days count. */
const NOW = '2026-04-10T12:00:00+08:00';

describe('#10 prepaid guard: the running month accrued against the balance, event driven, with once-per-crossing events', () => {
  let nc: NatsConnection;
  let running: RunningTestApp;
  let metering: FakeMetering;
  let catalog: FakeCatalog;

  beforeAll(async () => {
    await resetSchema(BILLING_ORM);
    nc = await connectNats();
    await resetBillingStreams(nc);
    metering = new FakeMetering(nc);
    catalog = new FakeCatalog(nc);
    catalog.price('guard-basic', '31.00');
    running = await startBilling({ testClock: true });
    const moved = await running.api.put('/v1/test/clock', { now: NOW });
    expect(moved.status).toBe(200);
  });

  afterAll(async () => {
    await running?.close();
    metering?.close();
    catalog?.close();
    await nc?.drain();
  });

  const balanceOf = async (accountId: string): Promise<BalanceBody> => {
    const response = await running.api.get<BalanceBody>(`/v1/accounts/${accountId}/balance`);
    expect(response.status).toBe(200);
    return response.body;
  };
  const accruedReaches = (accountId: string, accrued: string): Promise<BalanceBody> =>
    waitFor(async () => {
      const body = await balanceOf(accountId);
      return body.accruedThisPeriod === accrued ? body : undefined;
    }, `accruedThisPeriod of ${accountId} = ${accrued}`, 10_000);
  const outboxCount = async (subject: string, accountId: string): Promise<number> => {
    const [row] = await sql<{ n: string }>(`select count(*)::text as n from billing.outbox where subject = $1 and payload->>'accountId' = $2`, [subject, accountId]);
    return Number(row.n);
  };
  const setQuantity = async (accountId: string, subscriptionId: string, quantity: number): Promise<void> => {
    metering.set(accountId, subscriptionId, PERIOD, days(PERIOD, 1, 30, quantity, 'guard-basic'));
    await metering.announce(nc, accountId, subscriptionId, PERIOD);
  };

  it('#10 prepaid guard: accrued updates after a metering.usage.changed event (no poll), discounts applied, projectedBalance exact', async () => {
    const account = uniqueId('acc-guard');
    const subscription = uniqueId('sub-guard');
    await createAccount(nc, running.api, account);
    expect((await running.api.post(`/v1/accounts/${account}/top-ups`, { amount: '100.00', reference: 't-1' })).status).toBe(201);
    expect((await running.api.post('/v1/discounts', { accountId: account, rate: '0.15', effectiveFrom: '2026-04-01' })).status).toBe(201);
    // the top-up changed the balance: the guard evaluated the account once (nothing accrued yet)
    await waitFor(async () => {
      const [row] = await sql<{ n: string }>('select count(*)::text as n from billing.account_guard where account_id = $1 and computed_at is not null', [account]);
      const [dirty] = await sql<{ n: string }>('select count(*)::text as n from billing.guard_dirty where account_id = $1', [account]);
      return row.n === '1' && dirty.n === '0';
    }, 'the guard evaluated the top-up');
    const before = await balanceOf(account);
    expect(before).toMatchObject({ balance: '100.00', accruedThisPeriod: '0.00', projectedBalance: '100.00', lowBalanceThreshold: null, guardState: 'ok' });
    // metering holds the month (3 agents every day, the quantity in force until the month ends);
    // the guard learns of it from the event, a single re-rating (no poll of every account)
    metering.set(account, subscription, PERIOD, days(PERIOD, 1, 30, 3, 'guard-basic'));
    const asked = metering.usageRequests().filter((request) => request.accountIds.includes(account)).length;
    await metering.announce(nc, account, subscription, PERIOD);
    // 3 x 31.00 x 10 / 30 = 31.00 list; 15% off: 26.35 (days 11-30 are not accrued yet)
    const after = await accruedReaches(account, '26.35');
    expect(after).toMatchObject({ balance: '100.00', outstanding: '0.00', accruedThisPeriod: '26.35', projectedBalance: '73.65', guardState: 'ok' });
    const [row] = await sql<{ period: string; accrued: string; rated_through: string }>(
      'select period, accrued_this_period::text as accrued, rated_through::text from billing.account_guard where account_id = $1',
      [account],
    );
    expect(row).toEqual({ period: PERIOD, accrued: '26.35', rated_through: '2026-04-10' });
    const guardAsks = metering.usageRequests().filter((request) => request.accountIds.includes(account)).slice(asked);
    expect(guardAsks.length).toBeGreaterThan(0);
    // an accrual needs no revision: metering may answer without waiting for ingestion in flight
    expect(guardAsks.every((request) => request.withRevision === false)).toBe(true);
    // the guard's metrics: its batches by stage, the accounts it rated, and its queue (now empty)
    const metrics = await fetch(`${running.api.baseUrl}/metrics`, { headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` } });
    const text = await metrics.text();
    const value = (line: string): number => Number(new RegExp(`^${line.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    for (const stage of ['usage', 'rates', 'rating', 'store', 'total']) expect(value(`cec_billing_guard_batch_seconds_count{stage="${stage}"}`)).toBeGreaterThanOrEqual(2);
    expect(value('cec_billing_guard_accounts_rated_total')).toBeGreaterThanOrEqual(2);
    expect(value('cec_billing_guard_waiting_accounts')).toBe(0);
  });

  it('#10 prepaid guard: the threshold is a money string >= 0 (400 naming lowBalance), 404 for an unknown account', async () => {
    const account = uniqueId('acc-guard-v');
    await createAccount(nc, running.api, account);
    const negative = await running.api.put<{ code: string; message: string }>(`/v1/accounts/${account}/balance-threshold`, { lowBalance: '-1.00' });
    expect(negative.status).toBe(400);
    expect(negative.body.code).toBe('VALIDATION_FAILED');
    expect(negative.body.message).toContain('lowBalance');
    expect((await running.api.put(`/v1/accounts/${account}/balance-threshold`, { lowBalance: '1.001' })).status).toBe(400);
    expect((await running.api.put(`/v1/accounts/${account}/balance-threshold`, { lowBalance: '5.00', extra: 1 })).status).toBe(400);
    expect((await running.api.put(`/v1/accounts/${uniqueId('nobody')}/balance-threshold`, { lowBalance: '5.00' })).status).toBe(404);
    const set = await running.api.put(`/v1/accounts/${account}/balance-threshold`, { lowBalance: '0.00' });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ accountId: account, lowBalance: '0.00', guardState: 'ok' });
    expect((await running.api.get(`/v1/accounts/${account}/balance-threshold`)).body).toEqual({ accountId: account, lowBalance: '0.00', guardState: 'ok' });
  });

  it('#10 prepaid guard: balance_low once per crossing, balance_exhausted once, a top-up re-arms both (outbox, accountSequence)', async () => {
    const account = uniqueId('acc-guard-x');
    const subscription = uniqueId('sub-guard-x');
    await createAccount(nc, running.api, account);
    expect((await running.api.post(`/v1/accounts/${account}/top-ups`, { amount: '100.00', reference: 't-1' })).status).toBe(201);
    expect((await running.api.post('/v1/discounts', { accountId: account, rate: '0.15', effectiveFrom: '2026-04-01' })).status).toBe(201);
    expect((await running.api.put(`/v1/accounts/${account}/balance-threshold`, { lowBalance: '70.00' })).status).toBe(200);

    await setQuantity(account, subscription, 3);
    expect(await accruedReaches(account, '26.35')).toMatchObject({ projectedBalance: '73.65', lowBalanceThreshold: '70.00', guardState: 'ok' });
    expect(await outboxCount(SUBJECTS.accountBalanceLow, account)).toBe(0);

    // 4 agents: 4 x 31 x 10 / 30 x 0.85 = 35.1333… → 35.13; 100.00 - 35.13 = 64.87 < 70.00
    await setQuantity(account, subscription, 4);
    expect(await accruedReaches(account, '35.13')).toMatchObject({ projectedBalance: '64.87', guardState: 'low' });
    const low = await waitFor(async () => {
      const found = await eventsOn<AccountBalanceGuardEvent>(nc, SUBJECTS.accountBalanceLow, (event) => event.accountId === account);
      return found.length > 0 ? found : undefined;
    }, 'the balance_low event on BILLING_EVENTS');
    expect(low).toHaveLength(1);
    expect(low[0]).toMatchObject({
      accountId: account,
      period: PERIOD,
      currency: 'USD',
      balance: '100.00',
      accruedThisPeriod: '35.13',
      projectedBalance: '64.87',
      threshold: '70.00',
    });
    expect(typeof low[0].accountSequence).toBe('number');

    // two further usage events below the threshold: no second balance_low
    await setQuantity(account, subscription, 5);
    expect(await accruedReaches(account, '43.92')).toMatchObject({ projectedBalance: '56.08', guardState: 'low' });
    await setQuantity(account, subscription, 6);
    expect(await accruedReaches(account, '52.70')).toMatchObject({ projectedBalance: '47.30', guardState: 'low' });
    expect(await outboxCount(SUBJECTS.accountBalanceLow, account)).toBe(1);
    expect(await outboxCount(SUBJECTS.accountBalanceExhausted, account)).toBe(0);

    // exhausted: 15 agents → 131.75 accrued, projected -31.75; once, also after a further event
    await setQuantity(account, subscription, 15);
    expect(await accruedReaches(account, '131.75')).toMatchObject({ projectedBalance: '-31.75', guardState: 'exhausted' });
    await setQuantity(account, subscription, 16);
    expect(await accruedReaches(account, '140.53')).toMatchObject({ projectedBalance: '-40.53', guardState: 'exhausted' });
    expect(await outboxCount(SUBJECTS.accountBalanceExhausted, account)).toBe(1);
    expect(await outboxCount(SUBJECTS.accountBalanceLow, account)).toBe(1);
    const exhausted = await waitFor(async () => {
      const found = await eventsOn<AccountBalanceGuardEvent>(nc, SUBJECTS.accountBalanceExhausted, (event) => event.accountId === account);
      return found.length > 0 ? found : undefined;
    }, 'the balance_exhausted event on BILLING_EVENTS');
    expect(exhausted).toHaveLength(1);
    expect(exhausted[0]).toMatchObject({ balance: '100.00', accruedThisPeriod: '131.75', projectedBalance: '-31.75', threshold: '70.00' });
    expect(exhausted[0].accountSequence).toBeGreaterThan(low[0].accountSequence as number);

    // a top-up re-arms (the balance change marks the account, no usage event needed)
    expect((await running.api.post(`/v1/accounts/${account}/top-ups`, { amount: '200.00', reference: 't-2' })).status).toBe(201);
    const rearmed = await waitFor(async () => {
      const body = await balanceOf(account);
      return body.guardState === 'ok' ? body : undefined;
    }, 'the guard re-armed after the top-up', 10_000);
    expect(rearmed).toMatchObject({ balance: '300.00', accruedThisPeriod: '140.53', projectedBalance: '159.47' });
    expect(await outboxCount(SUBJECTS.accountBalanceLow, account)).toBe(1);

    // falling again past both: low then exhausted, once each (351.33 accrued, projected -51.33)
    await setQuantity(account, subscription, 40);
    expect(await accruedReaches(account, '351.33')).toMatchObject({ projectedBalance: '-51.33', guardState: 'exhausted' });
    expect(await outboxCount(SUBJECTS.accountBalanceLow, account)).toBe(2);
    expect(await outboxCount(SUBJECTS.accountBalanceExhausted, account)).toBe(2);
  });

  // runs last: it moves the test clock into May
  it('#10 guard month change: at 00:00 on the 1st the ended month counts until its bill is deducted, so a crossing is announced once', async () => {
    const account = uniqueId('acc-guard-m');
    const subscription = uniqueId('sub-guard-m');
    await createAccount(nc, running.api, account);
    expect((await running.api.post(`/v1/accounts/${account}/top-ups`, { amount: '100.00', reference: 't-1' })).status).toBe(201);
    expect((await running.api.put(`/v1/accounts/${account}/balance-threshold`, { lowBalance: '95.00' })).status).toBe(200);
    // 1 agent every day of April and of May at 31.00
    metering.set(account, subscription, '2026-05', days('2026-05', 1, 31, 1, 'guard-basic'));
    await setQuantity(account, subscription, 1);
    // April 10th: 1 x 31.00 x 10 / 30 = 10.33; 100.00 - 10.33 = 89.67 < 95.00: low, announced once
    expect(await accruedReaches(account, '10.33')).toMatchObject({ accruedUnbilled: '0.00', projectedBalance: '89.67', guardState: 'low' });
    await waitFor(async () => (await outboxCount(SUBJECTS.accountBalanceLow, account)) === 1, 'balance_low announced');

    // the run of April cannot read its prices yet (April's, to the 30th; the guard asks up to today):
    // the guard's new day comes before the deduction
    catalog.failWhen = (request) => request.to === '2026-04-30';
    try {
      expect((await running.api.put('/v1/test/clock', { now: '2026-05-01T00:00:30+08:00' })).status).toBe(200);
      const turned = await waitFor(async () => {
        const [row] = await sql<{ rated_through: string }>('select rated_through::text from billing.account_guard where account_id = $1', [account]);
        return row?.rated_through === '2026-05-01' ? balanceOf(account) : undefined;
      }, 'the guard re-rated the account on May 1st', 15_000);
      // May 1st: 1 x 31.00 / 31 = 1.00; April (not billed yet) in full: 31.00; 100.00 - 1.00 - 31.00 = 68.00
      expect(turned).toMatchObject({ balance: '100.00', accruedThisPeriod: '1.00', accruedUnbilled: '31.00', projectedBalance: '68.00', guardState: 'low' });
    } finally {
      catalog.failWhen = null;
    }
    // the run bills April (31.00 deducted): the ended month no longer counts, the projection is unchanged
    await waitFor(async () => (await billsOf(running.api, account, '2026-04')).length === 1, 'the April bill', 30_000);
    const billed = await waitFor(async () => {
      const body = await balanceOf(account);
      return body.balance === '69.00' && body.accruedUnbilled === '0.00' ? body : undefined;
    }, 'the guard after the deduction', 15_000);
    expect(billed).toMatchObject({ accruedThisPeriod: '1.00', projectedBalance: '68.00', guardState: 'low' });
    await waitFor(async () => (await sql('select 1 from billing.guard_dirty where account_id = $1', [account])).length === 0, 'the guard settled');
    // one real crossing (April 10th), one event: nothing announced again at the turn of the month
    expect(await outboxCount(SUBJECTS.accountBalanceLow, account)).toBe(1);
    expect(await outboxCount(SUBJECTS.accountBalanceExhausted, account)).toBe(0);
    const [state] = await sql<{ guard_state: string }>('select guard_state from billing.account_guard where account_id = $1', [account]);
    expect(state.guard_state).toBe('low');
  });
});
