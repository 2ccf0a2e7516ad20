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

  it('#11 #9.7 a batch of accounts takes its events\' sequence numbers in one statement: each account numbered on from its last event, in order', async () => {
    catalog.price('seqb-cec', '30.00');
    const unpaid = [uniqueId('seqb-u'), uniqueId('seqb-u'), uniqueId('seqb-u')];
    const prepaid = uniqueId('seqb-p');
    for (const acc of [...unpaid, prepaid]) {
      await createAccount(nc, running.api, acc);
      metering.set(acc, `${acc}-s1`, '2025-07', days('2025-07', 1, 31, 10, 'seqb-cec'));
      metering.set(acc, `${acc}-s1`, '2025-08', days('2025-08', 1, 31, 10, 'seqb-cec'));
    }
    expect((await running.api.post(`/v1/accounts/${prepaid}/top-ups`, { amount: '5000.00', reference: 'seqb-p' })).status).toBe(201);
    const before = await sql<{ aggregate_id: string; last: string }>(
      `select aggregate_id, max(aggregate_seq)::text as last from billing.outbox where aggregate_id = any($1) group by aggregate_id`,
      [[...unpaid, prepaid]],
    );
    const prepaidStart = Number(before.find((row) => row.aggregate_id === prepaid)?.last ?? 0);
    await runPeriod(running.api, '2025-07');
    await runPeriod(running.api, '2025-08');
    const stored = await sql<{ aggregate_id: string; aggregate_seq: string; subject: string; sequence: string }>(
      `select aggregate_id, aggregate_seq::text, subject, (payload->>'accountSequence') as sequence
         from billing.outbox where aggregate_id = any($1) order by aggregate_id, aggregate_seq`,
      [[...unpaid, prepaid]],
    );
    for (const acc of unpaid) {
      // July: bill.issued then account.in_arrears; August: bill.issued (still in arrears)
      const rows = stored.filter((row) => row.aggregate_id === acc);
      expect(rows.map((row) => [row.subject, row.aggregate_seq, row.sequence])).toEqual([
        [SUBJECTS.billIssued, '1', '1'],
        [SUBJECTS.accountInArrears, '2', '2'],
        [SUBJECTS.billIssued, '3', '3'],
      ]);
    }
    // the top-up's events came first; the two bills continue from them
    const paid = stored.filter((row) => row.aggregate_id === prepaid && Number(row.aggregate_seq) > prepaidStart);
    expect(paid.map((row) => [row.subject, row.aggregate_seq, row.sequence])).toEqual([
      [SUBJECTS.billIssued, String(prepaidStart + 1), String(prepaidStart + 1)],
      [SUBJECTS.billIssued, String(prepaidStart + 2), String(prepaidStart + 2)],
    ]);
    // the counters agree with the rows (the next event of each account follows on)
    const counters = await sql<{ aggregate_id: string; last_seq: string }>(`select aggregate_id, last_seq::text from billing.outbox_aggregate_sequence where aggregate_id = any($1)`, [[...unpaid, prepaid]]);
    expect(Object.fromEntries(counters.map((row) => [row.aggregate_id, row.last_seq]))).toEqual({
      ...Object.fromEntries(unpaid.map((acc) => [acc, '3'])),
      [prepaid]: String(prepaidStart + 2),
    });
    // the runs wrote these bills in batches (one run_progress row for several accounts)
    const [batched] = await sql<{ n: string }>(`select count(*)::text as n from billing.run_progress where processed > 1`);
    expect(Number(batched.n)).toBeGreaterThan(0);
  });
});
