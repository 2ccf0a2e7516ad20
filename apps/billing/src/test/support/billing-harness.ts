import { randomUUID } from 'node:crypto';
import { NatsConnection } from 'nats';
import { AccountCreatedEvent, CONSUMERS, STREAMS, SUBJECTS } from '@cec/contracts';
import { Dec } from '@cec/kernel';
import { ApiClient, publishJson, resetStream, RunningTestApp, sql, startTestApp } from '@cec/testing';
import { BillingAppModule } from '../../app.module';
import type { BillingRunSettings } from '../../billing.settings';

export interface StartOptions {
  testClock?: boolean;
  run?: Partial<BillingRunSettings>;
}

/** Boots the billing app on a free port: small batches, short ack wait, no catch-up or 5-minute tick unless asked. */
export function startBilling(options: StartOptions = {}): Promise<RunningTestApp> {
  return startTestApp(
    BillingAppModule.register({
      config: { billingTestClock: options.testClock ?? false, natsRequestTimeoutMs: 5000 },
      run: { batchSize: 5, accountConcurrency: 4, jobAckWaitMs: 3000, catchUpOnBoot: false, schedulerTick: false, sweepIntervalMs: 0, consumeJobs: true, ...options.run },
    }),
    { app: 'billing', title: 'billing', description: 'test' },
  );
}

/**
 * A clean start for the billing streams: the work queue is billing's own (purged); on the shared
 * BILLING_EVENTS stream only billing's durable consumer is removed (other apps' suites may be using
 * the stream), so that the new consumer reads the account events again into the fresh schema.
 */
export async function resetBillingStreams(nc: NatsConnection): Promise<void> {
  await resetStream(nc, STREAMS.billingJobs);
  const jsm = await nc.jetstreamManager();
  try {
    await jsm.consumers.delete(STREAMS.billingEvents.name, CONSUMERS.billingAccounts);
  } catch {
    // not there yet
  }
}

export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Polls `probe` every 50 ms until it returns a value (not undefined/false) or the time is up. */
export async function waitFor<T>(probe: () => Promise<T | undefined | false | null>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false && value !== null) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Publishes `subscription.account.created` and waits until billing knows the account. */
export async function createAccount(nc: NatsConnection, api: ApiClient, accountId: string, occurredAt = '2025-01-01T00:00:00+08:00'): Promise<void> {
  const event: AccountCreatedEvent = { id: `evt-${accountId}`, occurredAt, accountId, name: `Account ${accountId}`, currency: 'USD' };
  await publishJson(nc, SUBJECTS.accountCreated, event, event.id);
  await waitFor(async () => (await api.get(`/v1/accounts/${accountId}/balance`)).status === 200, `account ${accountId} in billing`);
}

export interface RunBody {
  id: string;
  period: string;
  status: string;
  trigger: string;
  attempt: number;
  accountsTotal: number;
  accountsProcessed: number;
  accountsBilled: number;
  billsIssued: number;
  total: string;
  jobsTotal: number;
  jobsDone: number;
  error: string | null;
}

export async function waitForRun(api: ApiClient, runId: string, timeoutMs = 30_000): Promise<RunBody> {
  return waitFor(
    async () => {
      const response = await api.get<RunBody>(`/v1/billing-runs/${runId}`);
      return response.status === 200 && response.body.status !== 'running' ? response.body : undefined;
    },
    `run ${runId} to finish`,
    timeoutMs,
  );
}

/** POST /v1/billing-runs and wait until the run is no longer running. */
export async function runPeriod(api: ApiClient, period: string): Promise<RunBody> {
  const started = await api.post<RunBody>('/v1/billing-runs', { period });
  if (started.status !== 202) throw new Error(`run of ${period} answered ${started.status}: ${JSON.stringify(started.body)}`);
  return waitForRun(api, started.body.id);
}

export interface BillLineBody {
  kind: string;
  subscriptionId: string;
  productCode: string;
  forPeriod: string;
  quantityDays: number;
  daysInPeriod: number;
  listAmount: string;
  discountAmount: string;
  amount: string;
}

export interface BillBody {
  id: string;
  accountId: string;
  period: string;
  currency: string;
  total: string;
  paidAmount: string;
  outstandingAmount: string;
  status: string;
  issuedAt: string;
  lines: BillLineBody[];
}

export async function billsOf(api: ApiClient, accountId: string, period?: string): Promise<BillBody[]> {
  const response = await api.get<BillBody[]>(`/v1/bills?accountId=${accountId}${period ? `&period=${period}` : ''}`);
  if (response.status !== 200) throw new Error(`bills of ${accountId}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

export async function counts(): Promise<Record<string, number>> {
  const [row] = await sql<Record<string, string>>(`
    select (select count(*) from billing.bill) as bills, (select count(*) from billing.bill_line) as lines,
           (select count(*) from billing.discount) as discounts, (select count(*) from billing.top_up) as top_ups,
           (select count(*) from billing.ledger_entry) as ledger, (select count(*) from billing.billing_run) as runs,
           (select count(*) from billing.account_period) as markers`);
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, Number(value)]));
}

/**
 * R7.6 for every account, checked in the database: the balance is the sum of its entries and never
 * negative; every entry's balanceAfter is the running sum; top-ups + credits = balance + deductions
 * + settlements; what is outstanding is the sum over the bills; each bill's paid amount is what the
 * ledger paid towards it, and paid + outstanding = total (or 0 for a credit bill).
 */
export async function assertLedgerInvariant(): Promise<void> {
  const accounts = await sql<{ id: string; balance: string; outstanding: string }>('select id, balance::text, outstanding::text from billing.account');
  const entries = await sql<{ account_id: string; type: string; amount: string; balance_after: string; bill_id: string | null }>(
    'select account_id, type, amount::text, balance_after::text, bill_id from billing.ledger_entry order by seq',
  );
  const bills = await sql<{ id: string; account_id: string; total: string; paid_amount: string; outstanding_amount: string; status: string }>(
    'select id, account_id, total::text, paid_amount::text, outstanding_amount::text, status from billing.bill',
  );
  const byAccount = new Map<string, typeof entries>();
  for (const entry of entries) byAccount.set(entry.account_id, [...(byAccount.get(entry.account_id) ?? []), entry]);
  for (const account of accounts) {
    let running = new Dec(0);
    let credits = new Dec(0);
    let debits = new Dec(0);
    for (const entry of byAccount.get(account.id) ?? []) {
      running = running.plus(entry.amount);
      expect({ account: account.id, balanceAfter: entry.balance_after }).toEqual({ account: account.id, balanceAfter: running.toFixed(2) });
      expect(running.gte(0)).toBe(true);
      if (entry.type === 'top_up' || entry.type === 'adjustment') credits = credits.plus(entry.amount);
      else debits = debits.minus(entry.amount);
    }
    expect({ account: account.id, balance: account.balance }).toEqual({ account: account.id, balance: running.toFixed(2) });
    expect(new Dec(account.balance).gte(0)).toBe(true);
    expect(credits.toFixed(2)).toBe(new Dec(account.balance).plus(debits).toFixed(2));
    const ownBills = bills.filter((bill) => bill.account_id === account.id);
    const outstanding = ownBills.reduce((sum, bill) => sum.plus(bill.outstanding_amount), new Dec(0));
    expect({ account: account.id, outstanding: account.outstanding }).toEqual({ account: account.id, outstanding: outstanding.toFixed(2) });
  }
  for (const bill of bills) {
    const paidByLedger = entries
      .filter((entry) => entry.bill_id === bill.id && (entry.type === 'deduction' || entry.type === 'settlement'))
      .reduce((sum, entry) => sum.minus(entry.amount), new Dec(0));
    expect({ bill: bill.id, paid: bill.paid_amount }).toEqual({ bill: bill.id, paid: paidByLedger.toFixed(2) });
    const due = Dec.max(new Dec(bill.total), 0);
    expect({ bill: bill.id, due: new Dec(bill.paid_amount).plus(bill.outstanding_amount).toFixed(2) }).toEqual({ bill: bill.id, due: due.toFixed(2) });
    const expectedStatus = new Dec(bill.outstanding_amount).isZero() ? 'paid' : new Dec(bill.paid_amount).isZero() ? 'unpaid' : 'partially_paid';
    expect({ bill: bill.id, status: bill.status }).toEqual({ bill: bill.id, status: expectedStatus });
  }
  // #11: the bills' tally by currency (what the metrics scrape reads, migration 0012) equals the bills
  const byCurrency = (table: string, count: string): Promise<Array<Record<string, unknown>>> =>
    sql(`select currency, ${count}::text as bills, sum(total)::text as total from billing.${table} group by currency order by currency`);
  expect(await byCurrency('bill_tally', 'sum(bills)')).toEqual(await byCurrency('bill', 'count(*)'));
}

/** Events of one subject on BILLING_EVENTS (read with an ordered consumer), filtered. */
export async function eventsOn<T extends { id: string }>(nc: NatsConnection, subject: string, match: (event: T) => boolean): Promise<T[]> {
  const js = nc.jetstream();
  const consumer = await js.consumers.get(STREAMS.billingEvents.name, { filterSubjects: subject });
  const found: T[] = [];
  for (;;) {
    const messages = await consumer.fetch({ max_messages: 500, expires: 1000 });
    let seen = 0;
    for await (const message of messages) {
      seen += 1;
      const event = message.json<T>();
      if (match(event)) found.push(event);
    }
    if (seen === 0) break;
  }
  return found;
}
