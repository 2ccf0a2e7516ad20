import { NatsConnection } from 'nats';
import { Client } from 'pg';
import { AccountInArrearsEvent, AccountSettledEvent, BillIssuedEvent, SUBJECTS } from '@cec/contracts';
import { connectNats, resetSchema, RunningTestApp, sql, TEST_DATABASE_URL, TEST_OPERATOR_TOKEN, useTestEnvironment } from '@cec/testing';
import { BILLING_ORM } from '../billing.module-def';
import { days, FakeCatalog, FakeMetering } from './support/fake-apps';
import {
  assertLedgerInvariant,
  BillBody,
  billsOf,
  counts,
  createAccount,
  eventsOn,
  resetBillingStreams,
  RunBody,
  runPeriod,
  startBilling,
  uniqueId,
  waitFor,
  waitForRun,
} from './support/billing-harness';

useTestEnvironment();

describe('billing: the monthly run, bills, deduction, top-ups and the ledger (PostgreSQL + NATS)', () => {
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

  afterEach(async () => {
    // R7.6 after every scenario: balance = sum of entries, never negative, money neither created nor lost
    await assertLedgerInvariant();
  });

  const api = (): RunningTestApp['api'] => running.api;

  async function account(prefix: string): Promise<string> {
    const id = uniqueId(prefix);
    await createAccount(nc, api(), id);
    return id;
  }

  async function onlyBill(accountId: string, period: string): Promise<BillBody> {
    const bills = await billsOf(api(), accountId, period);
    expect(bills).toHaveLength(1);
    return bills[0];
  }

  it('E1 (R4.1, R4.3, R4.4, R7.1): 6 agents from 2025-07-09 15:20 at 45.00 -> one bill of 200.32', async () => {
    catalog.price('e1-cec', '45.00');
    const acc = await account('e1');
    metering.set(acc, `${acc}-s1`, '2025-07', days('2025-07', 9, 31, 6, 'e1-cec'));
    const run = await runPeriod(api(), '2025-07');
    expect(run).toMatchObject({ period: '2025-07', status: 'completed', trigger: 'operator' });
    expect(run.billsIssued).toBeGreaterThanOrEqual(1);
    const bill = await onlyBill(acc, '2025-07');
    expect(bill).toMatchObject({ accountId: acc, period: '2025-07', currency: 'USD', total: '200.32', paidAmount: '0.00', outstandingAmount: '200.32', status: 'unpaid' });
    expect(bill.lines).toEqual([
      { kind: 'usage', subscriptionId: `${acc}-s1`, productCode: 'e1-cec', forPeriod: '2025-07', quantityDays: 138, daysInPeriod: 31, listAmount: '200.32', discountAmount: '0.00', amount: '200.32' },
    ]);
    const read = await api().get<BillBody>(`/v1/bills/${bill.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(bill);
    expect(bill.issuedAt).toMatch(/\+08:00$/);
    // R7.4 nothing to deduct: unpaid, the account is in arrears
    expect((await api().get(`/v1/accounts/${acc}/balance`)).body).toEqual({ accountId: acc, currency: 'USD', balance: '0.00', outstanding: '200.32', status: 'in_arrears' , accruedThisPeriod: '0.00', accruedUnbilled: '0.00', projectedBalance: '0.00', lowBalanceThreshold: null, guardState: expect.any(String) });
  });

  it('R7.2 a repeated run of the same month issues no second bill and no second deduction', async () => {
    const before = await counts();
    const billsBefore = await sql('select id, total::text from billing.bill order by id');
    const run = await runPeriod(api(), '2025-07');
    expect(run).toMatchObject({ status: 'completed', attempt: 2, billsIssued: 0, total: '0.00' });
    const after = await counts();
    expect({ ...after, runs: 0, markers: 0 }).toEqual({ ...before, runs: 0, markers: 0 });
    expect(after.runs).toBe(before.runs + 1);
    expect(await sql('select id, total::text from billing.bill order by id')).toEqual(billsBefore);
    const list = await api().get<RunBody[]>('/v1/billing-runs?period=2025-07');
    expect(list.body.map((r) => r.attempt)).toEqual([2, 1]); // newest first
  });

  describe('E4-E6 on one account', () => {
    let acc: string;
    let bill: BillBody;

    it('E4 (R5.1, R4.3): account-wide discount 0.20 from 2025-06-16 -> list 300.00, discount 30.00, amount 270.00', async () => {
      catalog.price('e4-cec', '30.00');
      acc = await account('e4');
      const discount = await api().post('/v1/discounts', { accountId: acc, rate: '0.20', effectiveFrom: '2025-06-16' });
      expect(discount.status).toBe(201);
      expect(discount.body).toMatchObject({ accountId: acc, productCode: null, rate: '0.2', effectiveFrom: '2025-06-16', effectiveTo: null });
      expect((await api().get<unknown[]>(`/v1/accounts/${acc}/discounts`)).body).toEqual([discount.body]);
      // E5: a balance of 100.00 before the run
      const topUp = await api().post(`/v1/accounts/${acc}/top-ups`, { amount: '100.00', reference: 'seed-1' });
      expect(topUp.status).toBe(201);
      metering.set(acc, `${acc}-s1`, '2025-06', days('2025-06', 1, 30, 10, 'e4-cec'));
      await runPeriod(api(), '2025-06');
      bill = await onlyBill(acc, '2025-06');
      expect(bill.lines).toEqual([
        { kind: 'usage', subscriptionId: `${acc}-s1`, productCode: 'e4-cec', forPeriod: '2025-06', quantityDays: 300, daysInPeriod: 30, listAmount: '300.00', discountAmount: '30.00', amount: '270.00' },
      ]);
    });

    it('E5 (R7.4): balance 100.00 -> paid 100.00, outstanding 170.00, partially_paid, account in_arrears (event published)', async () => {
      expect(bill).toMatchObject({ total: '270.00', paidAmount: '100.00', outstandingAmount: '170.00', status: 'partially_paid' });
      expect((await api().get(`/v1/accounts/${acc}/balance`)).body).toEqual({ accountId: acc, currency: 'USD', balance: '0.00', outstanding: '170.00', status: 'in_arrears' , accruedThisPeriod: '0.00', accruedUnbilled: '0.00', projectedBalance: '0.00', lowBalanceThreshold: null, guardState: expect.any(String) });
      const ledger = await api().get<Array<Record<string, unknown>>>(`/v1/accounts/${acc}/ledger`);
      expect(ledger.body.map(({ type, amount, balanceAfter, billId, reference }) => ({ type, amount, balanceAfter, billId, reference }))).toEqual([
        { type: 'top_up', amount: '100.00', balanceAfter: '100.00', billId: undefined, reference: 'seed-1' },
        { type: 'deduction', amount: '-100.00', balanceAfter: '0.00', billId: bill.id, reference: undefined },
      ]);
      const issued = await waitFor(async () => (await eventsOn<BillIssuedEvent>(nc, SUBJECTS.billIssued, (e) => e.billId === bill.id))[0], 'bill.issued event');
      expect(issued).toMatchObject({ accountId: acc, period: '2025-06', total: '270.00', paidAmount: '100.00', outstandingAmount: '170.00', status: 'partially_paid' });
      const arrears = await waitFor(async () => (await eventsOn<AccountInArrearsEvent>(nc, SUBJECTS.accountInArrears, (e) => e.accountId === acc))[0], 'in_arrears event');
      expect(arrears).toMatchObject({ accountId: acc, outstanding: '170.00', currency: 'USD' });
    });

    it('E6 (R7.5): top-up 200.00 "t-1" settles the bill: paid, balance 30.00, active; the same top-up again changes nothing', async () => {
      const first = await api().post(`/v1/accounts/${acc}/top-ups`, { amount: '200.00', reference: 't-1' });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        accountId: acc,
        reference: 't-1',
        amount: '200.00',
        balance: '30.00',
        outstanding: '0.00',
        status: 'active',
        settlements: [{ billId: bill.id, amount: '170.00', outstandingAfter: '0.00', status: 'paid' }],
      });
      expect((await api().get<BillBody>(`/v1/bills/${bill.id}`)).body).toMatchObject({ paidAmount: '270.00', outstandingAmount: '0.00', status: 'paid', total: '270.00' });
      const before = await counts();
      const again = await api().post(`/v1/accounts/${acc}/top-ups`, { amount: '200.00', reference: 't-1' });
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      const other = await api().post(`/v1/accounts/${acc}/top-ups`, { amount: '50.00', reference: 't-1' });
      expect(other.status).toBe(409);
      expect(other.body).toEqual({ statusCode: 409, code: 'TOP_UP_REFERENCE_CONFLICT', message: expect.stringMatching(/reference/) });
      expect(await counts()).toEqual(before);
      expect((await api().get(`/v1/accounts/${acc}/balance`)).body).toEqual({ accountId: acc, currency: 'USD', balance: '30.00', outstanding: '0.00', status: 'active' , accruedThisPeriod: '0.00', accruedUnbilled: '0.00', projectedBalance: '30.00', lowBalanceThreshold: null, guardState: expect.any(String) });
      const settled = await waitFor(async () => (await eventsOn<AccountSettledEvent>(nc, SUBJECTS.accountSettled, (e) => e.accountId === acc))[0], 'settled event');
      expect(settled).toMatchObject({ accountId: acc, balance: '30.00', currency: 'USD' });
      const ledger = await api().get<Array<{ type: string; amount: string; balanceAfter: string }>>(`/v1/accounts/${acc}/ledger`);
      expect(ledger.body.map((e) => [e.type, e.amount, e.balanceAfter])).toEqual([
        ['top_up', '100.00', '100.00'],
        ['deduction', '-100.00', '0.00'],
        ['top_up', '200.00', '200.00'],
        ['settlement', '-170.00', '30.00'],
      ]);
    });
  });

  it('E7 / R4.6: 10 agents from 2026-04-16T09:30+08:00 at 50.00 -> 250.00; with 15 % -> 212.50 (discount 37.50)', async () => {
    catalog.price('e7-cec', '50.00');
    const plain = await account('e7a');
    const discounted = await account('e7b');
    const discount = await api().post('/v1/discounts', { accountId: discounted, productCode: 'e7-cec', rate: '0.15', effectiveFrom: '2026-01-01', effectiveTo: '2027-01-01' });
    expect(discount.status).toBe(201);
    for (const acc of [plain, discounted]) metering.set(acc, `${acc}-s1`, '2026-04', days('2026-04', 16, 30, 10, 'e7-cec'));
    await runPeriod(api(), '2026-04');
    expect((await onlyBill(plain, '2026-04')).lines[0]).toMatchObject({ quantityDays: 150, daysInPeriod: 30, listAmount: '250.00', discountAmount: '0.00', amount: '250.00' });
    const bill = await onlyBill(discounted, '2026-04');
    expect(bill.lines[0]).toMatchObject({ quantityDays: 150, listAmount: '250.00', discountAmount: '37.50', amount: '212.50' });
    expect(bill.total).toBe('212.50');
  });

  it('R5.2 discounts switching mid-month: the product discount beats the all-products one where both apply; overlaps of one scope are refused', async () => {
    catalog.price('sw-a', '40.00');
    catalog.price('sw-b', '20.00');
    const acc = await account('sw');
    expect((await api().post('/v1/discounts', { accountId: acc, rate: '0.1', effectiveFrom: '2025-09-01', effectiveTo: '2025-10-01' })).status).toBe(201);
    expect((await api().post('/v1/discounts', { accountId: acc, productCode: 'sw-a', rate: '0.3', effectiveFrom: '2025-09-11', effectiveTo: '2025-09-21' })).status).toBe(201);
    const before = await counts();
    const overlapAll = await api().post('/v1/discounts', { accountId: acc, rate: '0.05', effectiveFrom: '2025-09-15' });
    expect(overlapAll.status).toBe(409);
    expect(overlapAll.body).toMatchObject({ statusCode: 409, code: 'DISCOUNT_OVERLAP' });
    const overlapProduct = await api().post('/v1/discounts', { accountId: acc, productCode: 'sw-a', rate: '0.2', effectiveFrom: '2025-09-20', effectiveTo: '2025-09-25' });
    expect(overlapProduct.status).toBe(409);
    expect(await counts()).toEqual(before);
    metering.set(acc, `${acc}-a`, '2025-09', days('2025-09', 1, 30, 3, 'sw-a'));
    metering.set(acc, `${acc}-b`, '2025-09', days('2025-09', 1, 30, 3, 'sw-b'));
    await runPeriod(api(), '2025-09');
    const bill = await onlyBill(acc, '2025-09');
    const bySubscription = Object.fromEntries(bill.lines.map((line) => [line.subscriptionId, [line.listAmount, line.discountAmount, line.amount]]));
    // sw-a: days 1-10 at 10 %, 11-20 at 30 % (product wins), 21-30 at 10 %: 120 * (9 + 7 + 9) / 30 = 100.00
    expect(bySubscription[`${acc}-a`]).toEqual(['120.00', '20.00', '100.00']);
    expect(bySubscription[`${acc}-b`]).toEqual(['60.00', '6.00', '54.00']);
    expect(bill.total).toBe('154.00');
  });

  it('R1.3/R4.2 a price change mid-month: each day at the price in force that day', async () => {
    catalog.price('pc-cec', '30.00', '2020-01-01');
    catalog.price('pc-cec', '60.00', '2025-10-16');
    const acc = await account('pc');
    metering.set(acc, `${acc}-s1`, '2025-10', days('2025-10', 1, 31, 1, 'pc-cec'));
    await runPeriod(api(), '2025-10');
    // (15 * 30 + 16 * 60) / 31 = 45.483… -> 45.48
    expect((await onlyBill(acc, '2025-10')).lines[0]).toMatchObject({ quantityDays: 31, daysInPeriod: 31, listAmount: '45.48', amount: '45.48' });
  });

  it('R4.2/R3.5 an edition upgrade mid-day: that day is charged at the higher of the two prices; R4.4 half-cent rounding goes away from zero', async () => {
    catalog.price('eu-basic', '31.00');
    catalog.price('eu-pro', '62.00');
    catalog.price('hc-cec', '45.15');
    const upgrade = await account('eu');
    const half = await account('hc1');
    const halfDiscounted = await account('hc2');
    expect((await api().post('/v1/discounts', { accountId: halfDiscounted, productCode: 'hc-cec', rate: '0.5', effectiveFrom: '2025-11-01' })).status).toBe(201);
    metering.set(upgrade, `${upgrade}-s1`, '2025-11', [...days('2025-11', 1, 9, 2, 'eu-basic'), ...days('2025-11', 10, 10, 2, 'eu-basic', 'eu-pro'), ...days('2025-11', 11, 30, 2, 'eu-pro')]);
    metering.set(half, `${half}-s1`, '2025-11', days('2025-11', 7, 7, 1, 'hc-cec'));
    metering.set(halfDiscounted, `${halfDiscounted}-s1`, '2025-11', days('2025-11', 7, 7, 1, 'hc-cec'));
    await runPeriod(api(), '2025-11');
    // 2 * (9 * 31 + 21 * 62) / 30 = 105.40, named after the product held at the end
    expect((await onlyBill(upgrade, '2025-11')).lines[0]).toMatchObject({ productCode: 'eu-pro', quantityDays: 60, listAmount: '105.40', amount: '105.40' });
    // 45.15 / 30 = 1.505 -> 1.51; at 50 %: 0.7525 -> 0.75, discount 1.51 - 0.75 = 0.76
    expect((await onlyBill(half, '2025-11')).lines[0]).toMatchObject({ quantityDays: 1, listAmount: '1.51', discountAmount: '0.00', amount: '1.51' });
    expect((await onlyBill(halfDiscounted, '2025-11')).lines[0]).toMatchObject({ quantityDays: 1, listAmount: '1.51', discountAmount: '0.76', amount: '0.75' });
  });

  it('R4.5 an account without usage gets no bill; E2: usage starting at 00:00 UTC+8 of the next month belongs to that month', async () => {
    catalog.price('e2-cec', '45.00');
    const acc = await account('e2');
    metering.set(acc, `${acc}-s1`, '2025-09', days('2025-09', 1, 30, 1, 'e2-cec'));
    await runPeriod(api(), '2025-08');
    expect(await billsOf(api(), acc, '2025-08')).toEqual([]);
    await runPeriod(api(), '2025-09');
    expect((await onlyBill(acc, '2025-09')).lines[0]).toMatchObject({ quantityDays: 30, amount: '45.00' });
  });

  describe('R6.2 late usage corrected on the next bill', () => {
    let acc: string;
    let january: BillBody;

    it('a late event that raises an already billed month: positive adjustment line on the next bill', async () => {
      catalog.price('lu-cec', '30.00');
      acc = await account('lu');
      expect((await api().post(`/v1/accounts/${acc}/top-ups`, { amount: '1000.00', reference: 'lu-1' })).status).toBe(201);
      metering.set(acc, `${acc}-s1`, '2026-01', days('2026-01', 1, 31, 1, 'lu-cec'));
      await runPeriod(api(), '2026-01');
      january = await onlyBill(acc, '2026-01');
      expect(january).toMatchObject({ total: '30.00', status: 'paid', paidAmount: '30.00' });
      // late: January had 2 agents from the 16th (15 days x 1 + 16 days x 2 = 47 quantity-days)
      metering.set(acc, `${acc}-s1`, '2026-01', [...days('2026-01', 1, 15, 1, 'lu-cec'), ...days('2026-01', 16, 31, 2, 'lu-cec')]);
      metering.set(acc, `${acc}-s1`, '2026-02', days('2026-02', 1, 28, 1, 'lu-cec'));
      await runPeriod(api(), '2026-02');
      const february = await onlyBill(acc, '2026-02');
      expect(february.lines).toEqual([
        { kind: 'usage', subscriptionId: `${acc}-s1`, productCode: 'lu-cec', forPeriod: '2026-02', quantityDays: 28, daysInPeriod: 28, listAmount: '30.00', discountAmount: '0.00', amount: '30.00' },
        // 47 * 30 / 31 = 45.48; billed 30.00 -> +15.48
        { kind: 'adjustment', subscriptionId: `${acc}-s1`, productCode: 'lu-cec', forPeriod: '2026-01', quantityDays: 16, daysInPeriod: 31, listAmount: '15.48', discountAmount: '0.00', amount: '15.48' },
      ]);
      expect(february).toMatchObject({ total: '45.48', paidAmount: '45.48', status: 'paid' });
      expect(await onlyBill(acc, '2026-01')).toEqual(january); // issued bills never change
    });

    it('a late cancellation that lowers it: a negative adjustment; a bill with a negative total credits the balance', async () => {
      const before = (await api().get<{ balance: string }>(`/v1/accounts/${acc}/balance`)).body.balance;
      metering.set(acc, `${acc}-s1`, '2026-01', days('2026-01', 1, 10, 1, 'lu-cec'));
      await runPeriod(api(), '2026-03');
      const march = await onlyBill(acc, '2026-03');
      // 10 * 30 / 31 = 9.68; billed 30.00 + 15.48 -> -35.80
      expect(march.lines).toEqual([
        { kind: 'adjustment', subscriptionId: `${acc}-s1`, productCode: 'lu-cec', forPeriod: '2026-01', quantityDays: -37, daysInPeriod: 31, listAmount: '-35.80', discountAmount: '0.00', amount: '-35.80' },
      ]);
      expect(march).toMatchObject({ total: '-35.80', paidAmount: '0.00', outstandingAmount: '0.00', status: 'paid' });
      const balance = (await api().get<{ balance: string }>(`/v1/accounts/${acc}/balance`)).body.balance;
      expect(Number(balance) * 100 - Number(before) * 100).toBe(3580);
      const ledger = await api().get<Array<{ type: string; amount: string; billId?: string }>>(`/v1/accounts/${acc}/ledger`);
      expect(ledger.body[ledger.body.length - 1]).toMatchObject({ type: 'adjustment', amount: '35.80', billId: march.id });
      expect(await onlyBill(acc, '2026-01')).toEqual(january);
      // nothing changed since: the next run bills no adjustment again
      await runPeriod(api(), '2026-05');
      expect(await billsOf(api(), acc, '2026-05')).toEqual([]);
    });
  });

  it('R6.2 R7.4 #11 a credit (negative total) of an account with an outstanding bill settles it: issued alone, outside the batch, with the others of the run', async () => {
    catalog.price('ls-cec', '30.00');
    const acc = await account('ls');
    const other = await account('ls-other');
    metering.set(acc, `${acc}-s1`, '2026-08', days('2026-08', 1, 31, 1, 'ls-cec'));
    await runPeriod(api(), '2026-08');
    expect(await onlyBill(acc, '2026-08')).toMatchObject({ total: '30.00', paidAmount: '0.00', outstandingAmount: '30.00', status: 'unpaid' });
    // late: August had the agent for 10 days only (10 * 30 / 31 = 9.68): -20.32 on September's bill
    metering.set(acc, `${acc}-s1`, '2026-08', days('2026-08', 1, 10, 1, 'ls-cec'));
    metering.set(other, `${other}-s1`, '2026-09', days('2026-09', 1, 30, 1, 'ls-cec'));
    await runPeriod(api(), '2026-09');
    const september = await onlyBill(acc, '2026-09');
    expect(september).toMatchObject({ total: '-20.32', paidAmount: '0.00', outstandingAmount: '0.00', status: 'paid' });
    // the credit went to the balance and settled August's bill at once
    expect(await onlyBill(acc, '2026-08')).toMatchObject({ total: '30.00', paidAmount: '20.32', outstandingAmount: '9.68', status: 'partially_paid' });
    expect((await api().get<{ balance: string; outstanding: string }>(`/v1/accounts/${acc}/balance`)).body).toMatchObject({ balance: '0.00', outstanding: '9.68' });
    const ledger = await api().get<Array<{ type: string; amount: string; balanceAfter: string }>>(`/v1/accounts/${acc}/ledger`);
    expect(ledger.body.slice(-2).map((entry) => [entry.type, entry.amount, entry.balanceAfter])).toEqual([
      ['adjustment', '20.32', '20.32'],
      ['settlement', '-20.32', '0.00'],
    ]);
    // the other account of the run was billed by the batch
    expect(await onlyBill(other, '2026-09')).toMatchObject({ total: '30.00', status: 'unpaid' });
  });

  it('#11 run progress: a run\'s counts are its markers, summed from one run_progress row per batch and one per account issued alone; the bills\' tally by currency likewise', async () => {
    catalog.price('rp-cec', '30.00');
    const alone = await account('rp-alone');
    const billed: string[] = [];
    for (let index = 0; index < 7; index += 1) billed.push(await account(`rp${index}`));
    metering.set(alone, `${alone}-s1`, '2026-10', days('2026-10', 1, 31, 1, 'rp-cec'));
    await runPeriod(api(), '2026-10');
    // late: October is lowered, so November's bill of `alone` is a credit against an outstanding
    // bill, issued alone outside its batch; the others are billed by batches; every other account
    // of the database has nothing to bill (a marker without a bill)
    metering.set(alone, `${alone}-s1`, '2026-10', days('2026-10', 1, 10, 1, 'rp-cec'));
    for (const acc of billed) metering.set(acc, `${acc}-s1`, '2026-11', days('2026-11', 1, 30, 1, 'rp-cec'));
    const run = await runPeriod(api(), '2026-11');
    expect(run.status).toBe('completed');
    // October billed 31 days (30.00), used 10 (9.68): -20.32 on November's bill; the others 30.00 each
    expect(await onlyBill(alone, '2026-11')).toMatchObject({ total: '-20.32', status: 'paid' });
    for (const acc of billed) expect((await onlyBill(acc, '2026-11')).total).toBe('30.00');
    expect(run.billsIssued).toBeGreaterThanOrEqual(8);
    const [markers] = await sql<{ processed: string; billed: string; total: string }>(
      `select count(*)::text as processed, count(bill_id)::text as billed, coalesce(sum(total), 0)::text as total
         from billing.account_period where run_id = '${run.id}'`,
    );
    expect({ processed: String(run.accountsProcessed), billed: String(run.billsIssued), total: run.total }).toEqual({
      processed: markers.processed,
      billed: markers.billed,
      total: markers.total,
    });
    expect(run.accountsProcessed).toBe(run.accountsTotal);
    const [progress] = await sql<{ rows: string; alone: string }>(
      `select count(*)::text as rows, count(*) filter (where processed = 1 and billed = 1 and total < 0)::text as alone
         from billing.run_progress where run_id = '${run.id}'`,
    );
    // one row per batch (jobs of at most 5 accounts) plus the account issued alone: never one per account
    expect(Number(progress.alone)).toBe(1);
    expect(Number(progress.rows)).toBeLessThanOrEqual(run.jobsTotal + 1);
    expect(Number(progress.rows)).toBeLessThan(run.accountsProcessed);
    // the bills' tally the metrics scrape reads (#11, 0012): written by the same two paths, one row
    // per batch and currency plus one for the account issued alone, and equal to the bills
    const tally = await sql<{ rows: string; bills: string; total: string }>(
      `select count(*)::text as rows, sum(bills)::text as bills, sum(total)::text as total from billing.bill_tally where run_id = '${run.id}'`,
    );
    expect(tally).toEqual([{ rows: tally[0].rows, bills: String(run.billsIssued), total: run.total }]);
    expect(Number(tally[0].rows)).toBeLessThanOrEqual(run.jobsTotal + 1);
    expect(Number(tally[0].rows)).toBeLessThan(run.billsIssued);
    const byCurrency = (table: string, count: string): Promise<Array<Record<string, unknown>>> =>
      sql(`select currency, ${count}::text as bills, sum(total)::text as total from billing.${table} group by currency order by currency`);
    expect(await byCurrency('bill_tally', 'sum(bills)')).toEqual(await byCurrency('bill', 'count(*)'));
    const metrics = await fetch(`${api().baseUrl}/metrics`, { headers: { authorization: `Bearer ${TEST_OPERATOR_TOKEN}` } });
    const issued = /^cec_billing_bills_issued\{currency="USD"\} (\d+)$/m.exec(await metrics.text());
    expect(Number(issued?.[1])).toBe(Number((await sql<{ n: string }>(`select count(*)::text as n from billing.bill where currency = 'USD'`))[0].n));
  });

  it('#11 the tables a batch writes carry no index without a reader, and the outbox trigger is skipped for events the batch numbered', async () => {
    const indexes = await sql<{ tablename: string; indexname: string }>(
      `select tablename, indexname from pg_indexes where schemaname = 'billing' and tablename in ('bill', 'account_period', 'outbox') order by tablename, indexname`,
    );
    const byTable = (table: string): string[] => indexes.filter((row) => row.tablename === table).map((row) => row.indexname);
    expect(byTable('account_period')).toEqual(['account_period_key']);
    expect(byTable('bill')).toEqual(['bill_account_period_key', 'bill_outstanding_idx', 'bill_period_idx', 'bill_pkey']);
    expect(byTable('outbox')).toEqual(['outbox_aggregate_seq_uq', 'outbox_due_idx', 'outbox_event_id_key', 'outbox_parked_idx', 'outbox_pkey', 'outbox_published_at_idx']);
    const [trigger] = await sql<{ definition: string }>(
      `select pg_get_triggerdef(t.oid) as definition from pg_trigger t join pg_class c on c.oid = t.tgrelid
        where c.relnamespace = 'billing'::regnamespace and c.relname = 'outbox' and t.tgname = 'outbox_assign_aggregate_seq'`,
    );
    expect(trigger.definition).toMatch(/WHEN \(\(\(new\.aggregate_id IS NULL\) OR \(new\.aggregate_seq IS NULL\)\)\)/);
    // a row written without its number (a single-row writer) is still numbered by the trigger (in a
    // transaction rolled back: the relay never sees it)
    const acc = await account('trig');
    const client = new Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query('begin');
      await client.query(`insert into billing.outbox (event_id, subject, payload, created_at) values ($1, 'billing.account.settled', $2::jsonb, now())`, [
        `trig-${acc}`,
        JSON.stringify({ accountId: acc }),
      ]);
      const { rows } = await client.query<{ aggregate_id: string; aggregate_seq: string; sequence: string }>(
        `select aggregate_id, aggregate_seq::text, payload->>'accountSequence' as sequence from billing.outbox where event_id = $1`,
        [`trig-${acc}`],
      );
      expect(rows).toEqual([{ aggregate_id: acc, aggregate_seq: '1', sequence: '1' }]);
    } finally {
      await client.query('rollback');
      await client.end();
    }
  });

  it('R7.2 two concurrent starts of one month make one run; each account is billed once, in batches (one metering request per batch)', async () => {
    catalog.price('cc-cec', '10.00');
    const accounts: string[] = [];
    for (let index = 0; index < 12; index += 1) accounts.push(await account(`cc${index}`));
    for (const acc of accounts) metering.set(acc, `${acc}-s1`, '2026-06', days('2026-06', 1, 30, 3, 'cc-cec'));
    const requestsBefore = metering.usageRequests().filter((r) => r.period === '2026-06').length;
    const [first, second] = await Promise.all([api().post<RunBody>('/v1/billing-runs', { period: '2026-06' }), api().post<RunBody>('/v1/billing-runs', { period: '2026-06' })]);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.id).toBe(first.body.id);
    const run = await waitForRun(api(), first.body.id);
    expect(run).toMatchObject({ status: 'completed', billsIssued: 12, total: '360.00' });
    expect(run.accountsProcessed).toBe(run.accountsTotal);
    expect((await api().get<RunBody[]>('/v1/billing-runs?period=2026-06')).body).toHaveLength(1);
    for (const acc of accounts) expect((await onlyBill(acc, '2026-06')).total).toBe('30.00');
    const [{ duplicates }] = await sql<{ duplicates: string }>(
      "select count(*) as duplicates from (select account_id from billing.bill where period = '2026-06' group by account_id having count(*) > 1) d",
    );
    expect(Number(duplicates)).toBe(0);
    // one metering request per job of at most 5 accounts (batchSize), never one per account
    const requests = metering.usageRequests().filter((r) => r.period === '2026-06').slice(requestsBefore);
    expect(requests.length).toBeLessThanOrEqual(run.jobsTotal);
    for (const request of requests) expect(request.accountIds.length).toBeLessThanOrEqual(5);
    expect(requests.length).toBeLessThan(run.accountsTotal);
    const asked = new Set(requests.flatMap((request) => request.accountIds));
    for (const acc of accounts) expect(asked.has(acc)).toBe(true);
  });

  it('R7.2 a month that has not ended cannot be run: 409 PERIOD_NOT_ENDED, nothing created', async () => {
    const before = await counts();
    for (const period of ['2099-01', currentPeriod()]) {
      const response = await api().post('/v1/billing-runs', { period });
      expect(response.status).toBe(409);
      expect(response.body).toEqual({ statusCode: 409, code: 'PERIOD_NOT_ENDED', message: expect.stringContaining(period) });
    }
    expect(await counts()).toEqual(before);
  });

  describe('R8.1 bad input answers 4xx with {statusCode, code, message naming the field} and changes nothing', () => {
    let acc: string;
    beforeAll(async () => {
      acc = await account('r8');
      expect((await api().post(`/v1/accounts/${acc}/top-ups`, { amount: '5.00', reference: 'r8-ref' })).status).toBe(201);
      expect((await api().post('/v1/discounts', { accountId: acc, rate: '0.1', effectiveFrom: '2025-01-01', effectiveTo: '2025-02-01' })).status).toBe(201);
    });

    const cases = (): Array<[string, string, string, unknown, number, string, RegExp]> => [
      ['discount without accountId', 'POST', '/v1/discounts', { rate: '0.1', effectiveFrom: '2025-03-01' }, 400, 'VALIDATION_FAILED', /accountId/],
      ['discount for an unknown account', 'POST', '/v1/discounts', { accountId: 'nobody-here', rate: '0.1', effectiveFrom: '2025-03-01' }, 404, 'ACCOUNT_NOT_FOUND', /nobody-here/],
      ['discount rate 1', 'POST', '/v1/discounts', { accountId: acc, rate: '1', effectiveFrom: '2025-03-01' }, 400, 'VALIDATION_FAILED', /rate/],
      ['discount rate with 5 decimals', 'POST', '/v1/discounts', { accountId: acc, rate: '0.12345', effectiveFrom: '2025-03-01' }, 400, 'VALIDATION_FAILED', /rate/],
      ['discount rate as a number', 'POST', '/v1/discounts', { accountId: acc, rate: 0.1, effectiveFrom: '2025-03-01' }, 400, 'VALIDATION_FAILED', /rate/],
      ['discount negative rate', 'POST', '/v1/discounts', { accountId: acc, rate: '-0.1', effectiveFrom: '2025-03-01' }, 400, 'VALIDATION_FAILED', /rate/],
      ['discount bad date', 'POST', '/v1/discounts', { accountId: acc, rate: '0.1', effectiveFrom: '2025-02-30' }, 400, 'VALIDATION_FAILED', /effectiveFrom/],
      ['discount empty range', 'POST', '/v1/discounts', { accountId: acc, rate: '0.1', effectiveFrom: '2025-03-01', effectiveTo: '2025-03-01' }, 400, 'VALIDATION_FAILED', /effectiveTo/],
      ['discount bad product code', 'POST', '/v1/discounts', { accountId: acc, productCode: 'Not A Code', rate: '0.1', effectiveFrom: '2025-03-01' }, 400, 'VALIDATION_FAILED', /productCode/],
      ['discount unknown product', 'POST', '/v1/discounts', { accountId: acc, productCode: 'no-such-product', rate: '0.1', effectiveFrom: '2025-03-01' }, 404, 'PRODUCT_NOT_FOUND', /productCode/],
      ['discount unknown field', 'POST', '/v1/discounts', { accountId: acc, rate: '0.1', effectiveFrom: '2025-03-01', colour: 'red' }, 400, 'VALIDATION_FAILED', /colour/],
      ['discount overlapping', 'POST', '/v1/discounts', { accountId: acc, rate: '0.2', effectiveFrom: '2025-01-15' }, 409, 'DISCOUNT_OVERLAP', /discount/],
      ['top-up negative', 'POST', `/v1/accounts/${acc}/top-ups`, { amount: '-5.00', reference: 'x1' }, 400, 'VALIDATION_FAILED', /amount/],
      ['top-up zero', 'POST', `/v1/accounts/${acc}/top-ups`, { amount: '0.00', reference: 'x2' }, 400, 'VALIDATION_FAILED', /amount/],
      ['top-up as a number', 'POST', `/v1/accounts/${acc}/top-ups`, { amount: 10, reference: 'x3' }, 400, 'VALIDATION_FAILED', /amount/],
      ['top-up 3 decimals', 'POST', `/v1/accounts/${acc}/top-ups`, { amount: '1.234', reference: 'x4' }, 400, 'VALIDATION_FAILED', /amount/],
      ['top-up without reference', 'POST', `/v1/accounts/${acc}/top-ups`, { amount: '1.00' }, 400, 'VALIDATION_FAILED', /reference/],
      ['top-up bad reference', 'POST', `/v1/accounts/${acc}/top-ups`, { amount: '1.00', reference: 'has space' }, 400, 'VALIDATION_FAILED', /reference/],
      ['top-up unknown account', 'POST', '/v1/accounts/nobody-here/top-ups', { amount: '1.00', reference: 'x5' }, 404, 'ACCOUNT_NOT_FOUND', /nobody-here/],
      ['top-up reference reused with another amount', 'POST', `/v1/accounts/${acc}/top-ups`, { amount: '6.00', reference: 'r8-ref' }, 409, 'TOP_UP_REFERENCE_CONFLICT', /reference/],
      ['run with a bad period', 'POST', '/v1/billing-runs', { period: '2026-13' }, 400, 'VALIDATION_FAILED', /period/],
      ['run without period', 'POST', '/v1/billing-runs', {}, 400, 'VALIDATION_FAILED', /period/],
      ['run for a month not ended', 'POST', '/v1/billing-runs', { period: '2099-12' }, 409, 'PERIOD_NOT_ENDED', /period/],
      ['run with an unknown field', 'POST', '/v1/billing-runs', { period: '2025-01', force: true }, 400, 'VALIDATION_FAILED', /force/],
      ['unknown run', 'GET', '/v1/billing-runs/run_nope', undefined, 404, 'BILLING_RUN_NOT_FOUND', /run_nope/],
      ['runs with a bad period', 'GET', '/v1/billing-runs?period=2025-7', undefined, 400, 'VALIDATION_FAILED', /period/],
      ['unknown bill', 'GET', '/v1/bills/bill_nope', undefined, 404, 'BILL_NOT_FOUND', /bill_nope/],
      ['bills of an unknown account', 'GET', '/v1/bills?accountId=nobody-here', undefined, 404, 'ACCOUNT_NOT_FOUND', /nobody-here/],
      ['bills with a bad period', 'GET', `/v1/bills?accountId=${acc}&period=July`, undefined, 400, 'VALIDATION_FAILED', /period/],
      ['balance of an unknown account', 'GET', '/v1/accounts/nobody-here/balance', undefined, 404, 'ACCOUNT_NOT_FOUND', /nobody-here/],
      ['ledger of an unknown account', 'GET', '/v1/accounts/nobody-here/ledger', undefined, 404, 'ACCOUNT_NOT_FOUND', /nobody-here/],
      ['discounts of an unknown account', 'GET', '/v1/accounts/nobody-here/discounts', undefined, 404, 'ACCOUNT_NOT_FOUND', /nobody-here/],
    ];

    it('every case', async () => {
      for (const [name, method, path, body, status, code, message] of cases()) {
        const before = await counts();
        const response = method === 'GET' ? await api().get(path) : await api().post(path, body);
        expect({ name, status: response.status, body: response.body }).toEqual({ name, status, body: { statusCode: status, code, message: expect.stringMatching(message) } });
        expect({ name, counts: await counts() }).toEqual({ name, counts: before });
      }
    });

    it('malformed JSON is a 400; a missing or wrong token is a 401', async () => {
      const before = await counts();
      const malformed = await api().raw('POST', '/v1/discounts', '{"accountId": ');
      expect(malformed.status).toBe(400);
      expect(malformed.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', message: expect.stringMatching(/JSON/) });
      const anonymous = await api().withToken(null).post(`/v1/accounts/${acc}/top-ups`, { amount: '1.00', reference: 'anon' });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
      const wrong = await api().withToken('not-the-token-at-all-0000').post('/v1/billing-runs', { period: '2025-01' });
      expect(wrong.status).toBe(401);
      expect(await counts()).toEqual(before);
    });
  });

  it('serves /health and documents the billing routes in OpenAPI', async () => {
    const health = await api().withToken(null).get<{ status: string }>('/health');
    expect(health.status).toBe(200);
    const docs = await api().withToken(null).get<{ paths: Record<string, unknown> }>('/docs-json');
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/discounts',
        '/v1/accounts/{id}/top-ups',
        '/v1/accounts/{id}/balance',
        '/v1/accounts/{id}/ledger',
        '/v1/accounts/{id}/discounts',
        '/v1/billing-runs',
        '/v1/billing-runs/{id}',
        '/v1/bills',
        '/v1/bills/{id}',
        '/v1/dead-letters',
      ]),
    );
    expect(Object.keys(docs.body.paths)).not.toContain('/v1/test/clock');
  });
});

function currentPeriod(): string {
  const now = new Date(Date.now() + 8 * 3600 * 1000); // UTC+8 wall clock, whatever TZ is
  return `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
}
