import { NatsConnection } from 'nats';
import { AccountInArrearsEvent, AccountSettledEvent, BillIssuedEvent, SUBJECTS } from '@cec/contracts';
import { connectNats, resetSchema, RunningTestApp, sql, useTestEnvironment } from '@cec/testing';
import { BILLING_ORM } from '../billing.module-def';
import { days, FakeCatalog, FakeMetering } from './support/fake-apps';
import { billsOf, createAccount, eventsOn, resetBillingStreams, runPeriod, startBilling, uniqueId, waitFor } from './support/billing-harness';

useTestEnvironment();

describe('#9.7 billing events of one account carry a per-account sequence (outbox)', () => {
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
    running = await startBilling();
  });

  afterAll(async () => {
    await running?.close();
    metering?.close();
    catalog?.close();
    await nc?.drain();
  });

  it('#9.7 bill.issued, account.in_arrears and account.settled of one account are numbered 1, 2, 3 in commit order', async () => {
    catalog.price('seq-cec', '30.00');
    const acc = uniqueId('seq');
    await createAccount(nc, running.api, acc);
    metering.set(acc, `${acc}-s1`, '2025-06', days('2025-06', 1, 30, 10, 'seq-cec'));
    await runPeriod(running.api, '2025-06');
    const [bill] = await billsOf(running.api, acc, '2025-06');
    expect(bill.status).toBe('unpaid');
    expect((await running.api.post(`/v1/accounts/${acc}/top-ups`, { amount: '500.00', reference: 'seq-1' })).status).toBe(201);

    const issued = await waitFor(async () => (await eventsOn<BillIssuedEvent>(nc, SUBJECTS.billIssued, (e) => e.accountId === acc))[0], 'bill.issued');
    const arrears = await waitFor(async () => (await eventsOn<AccountInArrearsEvent>(nc, SUBJECTS.accountInArrears, (e) => e.accountId === acc))[0], 'in_arrears');
    const settled = await waitFor(async () => (await eventsOn<AccountSettledEvent>(nc, SUBJECTS.accountSettled, (e) => e.accountId === acc))[0], 'settled');
    expect([issued.accountSequence, arrears.accountSequence, settled.accountSequence]).toEqual([1, 2, 3]);
    // the database holds it as a unique (account, sequence)
    const stored = await sql<{ aggregate_seq: string }>(`select aggregate_seq::text from billing.outbox where aggregate_id = $1 order by aggregate_seq`, [acc]);
    expect(stored.map((row) => row.aggregate_seq)).toEqual(['1', '2', '3']);
  });
});
