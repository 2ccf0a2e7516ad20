import { randomUUID } from 'node:crypto';
import { connect, NatsConnection } from 'nats';
import { SUBJECTS, UsageReportedMessage } from '@cec/contracts';
import { ApiClient, ApiResponse } from '@cec/testing';
import { stackInfo } from './stack-info';

export interface BillLine {
  kind: 'usage' | 'adjustment';
  subscriptionId: string;
  productCode: string;
  forPeriod: string;
  quantityDays: number;
  daysInPeriod: number;
  listAmount: string;
  discountAmount: string;
  amount: string;
}

export interface Bill {
  id: string;
  accountId: string;
  period: string;
  currency: string;
  total: string;
  paidAmount: string;
  outstandingAmount: string;
  status: 'paid' | 'partially_paid' | 'unpaid';
  issuedAt: string;
  lines: BillLine[];
}

export interface Balance {
  accountId: string;
  currency: string;
  balance: string;
  outstanding: string;
  status: 'active' | 'in_arrears';
}

export interface LedgerEntry {
  id: string;
  type: string;
  amount: string;
  balanceAfter: string;
  billId?: string | null;
  reference?: string | null;
  createdAt: string;
}

export interface BillingRun {
  id: string;
  period: string;
  status: 'running' | 'completed' | 'completed_with_failures' | 'cancelled' | 'failed';
  trigger: 'schedule' | 'operator';
  accountsBilled: number;
  billsIssued: number;
  total: string;
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

function expectStatus<T>(response: ApiResponse<T>, status: number, what: string): T {
  if (response.status !== status) {
    throw new Error(`${what}: expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body;
}

/** Unique names per test run, so scenarios never see each other's data. */
export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** The running platform as an operator and a reporting system see it: REST and NATS only. */
export class Platform {
  readonly catalog: ApiClient;
  readonly subscription: ApiClient;
  readonly metering: ApiClient;
  readonly billing: ApiClient;
  private nc: NatsConnection | null = null;

  constructor() {
    const info = stackInfo();
    const url = (port: number): string => `http://127.0.0.1:${port}`;
    this.catalog = new ApiClient(url(info.ports.catalog), info.token);
    this.subscription = new ApiClient(url(info.ports.subscription), info.token);
    this.metering = new ApiClient(url(info.ports.metering), info.token);
    this.billing = new ApiClient(url(info.ports.billing), info.token);
  }

  async close(): Promise<void> {
    await this.nc?.close();
  }

  /** A product of its own for the scenario, with price versions. */
  async product(unit: 'agent' | 'channel', prices: Array<[effectiveFrom: string, unitPrice: string]>, prefix = 'p'): Promise<string> {
    const code = unique(prefix);
    expectStatus(await this.catalog.post('/v1/products', { code, name: code, unit, features: ['softphone'], billingModes: ['pay_per_use'] }), 201, 'create product');
    for (const [effectiveFrom, unitPrice] of prices) {
      expectStatus(await this.catalog.post(`/v1/products/${code}/prices`, { unitPrice, currency: 'USD', effectiveFrom }), 201, 'add price');
    }
    return code;
  }

  /** An account, created at the subscription app and waited for until billing knows it. */
  async account(name = 'Enterprise'): Promise<string> {
    const id = unique('acc');
    expectStatus(await this.subscription.post('/v1/accounts', { id, name }), 201, 'create account');
    await eventually(`billing to learn account ${id}`, async () => ((await this.billing.get(`/v1/accounts/${id}/balance`)).status === 200 ? true : undefined));
    return id;
  }

  async subscribe(accountId: string, productCode: string, quantity: number, enabledAt: string): Promise<string> {
    const body = expectStatus(
      await this.subscription.post<{ id: string }>('/v1/subscriptions', { accountId, productCode, quantity, billingMode: 'pay_per_use', enabledAt }),
      201,
      'create subscription',
    );
    return body.id;
  }

  async change(subscriptionId: string, change: { effectiveAt: string; quantity?: number; productCode?: string }): Promise<void> {
    expectStatus(await this.subscription.post(`/v1/subscriptions/${subscriptionId}/changes`, change), 201, 'change subscription');
  }

  async cancel(subscriptionId: string, effectiveAt: string): Promise<void> {
    expectStatus(await this.subscription.post(`/v1/subscriptions/${subscriptionId}/cancel`, { effectiveAt }), 201, 'cancel subscription');
  }

  /** Waits until metering's view of a month has the expected quantity-days. */
  async usage(subscriptionId: string, period: string, expectedQuantityDays?: number): Promise<{ quantityDays: number; days: Array<{ date: string; quantity: number }> }> {
    return eventually(`metering usage of ${subscriptionId} in ${period}`, async () => {
      const response = await this.metering.get<{ quantityDays: number; days: Array<{ date: string; quantity: number }> }>(
        `/v1/usage?subscriptionId=${encodeURIComponent(subscriptionId)}&period=${period}`,
      );
      if (response.status !== 200) return undefined;
      if (expectedQuantityDays !== undefined && response.body.quantityDays !== expectedQuantityDays) return undefined;
      return response.body;
    });
  }

  /** Reports usage the way the agent platform does: JetStream `usage.reported` with Nats-Msg-Id. */
  async reportUsage(events: UsageReportedMessage[]): Promise<void> {
    if (!this.nc) this.nc = await connect({ servers: stackInfo().natsUrl });
    const js = this.nc.jetstream();
    for (const event of events) {
      await js.publish(SUBJECTS.usageReported, new TextEncoder().encode(JSON.stringify(event)), { msgID: event.id });
    }
  }

  async discount(body: { accountId: string; productCode?: string; rate: string; effectiveFrom: string; effectiveTo?: string }): Promise<void> {
    expectStatus(await this.billing.post('/v1/discounts', body), 201, 'create discount');
  }

  async topUp(accountId: string, amount: string, reference: string): Promise<ApiResponse<Record<string, unknown>>> {
    return this.billing.post(`/v1/accounts/${accountId}/top-ups`, { amount, reference });
  }

  /** Starts (or repeats) a run for a period and waits until it completes. */
  async run(period: string): Promise<BillingRun> {
    const started = await this.billing.post<BillingRun>('/v1/billing-runs', { period });
    if (started.status !== 202) throw new Error(`start run ${period}: ${started.status} ${JSON.stringify(started.body)}`);
    return eventually(
      `billing run ${started.body.id}`,
      async () => {
        const run = (await this.billing.get<BillingRun>(`/v1/billing-runs/${started.body.id}`)).body;
        if (run.status !== 'running' && run.status !== 'completed') {
          const failures = (await this.billing.get(`/v1/billing-runs/${run.id}/failures`)).body;
          throw new Error(`run ${run.id} ended ${run.status}: ${JSON.stringify(failures)}`);
        }
        return run.status === 'completed' ? run : undefined;
      },
      60_000,
    );
  }

  async bills(accountId: string, period?: string): Promise<Bill[]> {
    const query = `accountId=${encodeURIComponent(accountId)}${period ? `&period=${period}` : ''}`;
    const list = expectStatus(await this.billing.get<Bill[]>(`/v1/bills?${query}`), 200, 'list bills');
    return Promise.all(list.map(async (bill) => expectStatus(await this.billing.get<Bill>(`/v1/bills/${bill.id}`), 200, 'get bill')));
  }

  async balance(accountId: string): Promise<Balance> {
    return expectStatus(await this.billing.get<Balance>(`/v1/accounts/${accountId}/balance`), 200, 'balance');
  }

  async ledger(accountId: string): Promise<LedgerEntry[]> {
    return expectStatus(await this.billing.get<LedgerEntry[]>(`/v1/accounts/${accountId}/ledger`), 200, 'ledger');
  }
}
