import { NatsConnection, Subscription } from 'nats';
import { GetProductReply, MonthlyUsageReply, MonthlyUsageRequest, PATTERNS, PriceVersionMessage, ResolvePricesReply, ResolvePricesRequest, SubscriptionUsageMessage, UsageRevisionsReply, UsageRevisionsRequest, toUsageRuns } from '@cec/contracts';

type PatternName = (typeof PATTERNS)[keyof typeof PATTERNS];

interface NestRequest<T> {
  pattern: string;
  data: T;
  id: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Answers one NestJS NATS message pattern the way a Nest microservice would: the request is
 * `{pattern, data, id}`, the reply `{response, isDisposed: true, id}` (or `{err, isDisposed, id}`).
 */
export function respond<TRequest, TReply>(nc: NatsConnection, pattern: PatternName, handler: (request: TRequest) => TReply | Promise<TReply>): Subscription {
  return nc.subscribe(pattern, {
    callback: (error, message) => {
      if (error) return;
      void (async () => {
        const request = JSON.parse(decoder.decode(message.data)) as NestRequest<TRequest>;
        try {
          const response = await handler(request.data);
          message.respond(encoder.encode(JSON.stringify({ id: request.id, response, isDisposed: true })));
        } catch (failure) {
          message.respond(encoder.encode(JSON.stringify({ id: request.id, err: { message: String(failure) }, isDisposed: true })));
        }
      })();
    },
  });
}

export interface DaySpec {
  date: string;
  quantity: number;
  productCodes: string[];
}

/** Days `from..to` of a period, each with the same quantity and products. */
export function days(period: string, from: number, to: number, quantity: number, ...productCodes: string[]): DaySpec[] {
  return Array.from({ length: to - from + 1 }, (_, index) => ({ date: `${period}-${String(from + index).padStart(2, '0')}`, quantity, productCodes }));
}

/**
 * Metering as billing sees it: daily quantities per subscription and month, and a revision that
 * grows with every write (so that late usage is visible through PATTERNS.meteringUsageRevisions).
 */
export class FakeMetering {
  private revision = 1n;
  private readonly usage = new Map<string, Map<string, SubscriptionUsageMessage>>(); // period -> subscriptionId -> usage
  private readonly writes: Array<{ accountId: string; period: string; revision: bigint }> = [];
  readonly requests: Array<{ pattern: string; accountIds: string[]; period?: string }> = [];
  /** When set, monthly usage requests fail while it returns true (simulates metering down). */
  failWhen: ((request: MonthlyUsageRequest) => boolean) | null = null;
  /** Answers monthly usage this much later (a slow metering). */
  delayMs = 0;
  private readonly subscriptions: Subscription[] = [];

  constructor(nc: NatsConnection) {
    this.subscriptions.push(
      respond<MonthlyUsageRequest, MonthlyUsageReply>(nc, PATTERNS.meteringMonthlyUsage, async (request) => {
        if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
        this.requests.push({ pattern: PATTERNS.meteringMonthlyUsage, accountIds: request.accountIds, period: request.period });
        if (this.failWhen?.(request)) throw new Error('metering is unavailable');
        const accounts = new Set(request.accountIds);
        const subscriptions = [...(this.usage.get(request.period)?.values() ?? [])].filter((entry) => accounts.has(entry.accountId));
        return { period: request.period, asOfRevision: this.revision.toString(), subscriptions };
      }),
      respond<UsageRevisionsRequest, UsageRevisionsReply>(nc, PATTERNS.meteringUsageRevisions, (request) => {
        this.requests.push({ pattern: PATTERNS.meteringUsageRevisions, accountIds: request.accounts.map((entry) => entry.accountId) });
        const revisions: UsageRevisionsReply['revisions'] = [];
        for (const { accountId, afterRevision } of request.accounts) {
          const periods = this.writes.filter((write) => write.accountId === accountId && write.revision > BigInt(afterRevision)).map((write) => write.period);
          if (periods.length > 0) revisions.push({ accountId, earliestPeriod: periods.sort()[0] });
        }
        return { revisions };
      }),
    );
  }

  /** Sets (replaces) a subscription's days of a month: a timeline write at a new revision. */
  set(accountId: string, subscriptionId: string, period: string, daysOfMonth: DaySpec[]): void {
    this.revision += 1n;
    const byPeriod = this.usage.get(period) ?? new Map<string, SubscriptionUsageMessage>();
    byPeriod.set(subscriptionId, { subscriptionId, accountId, runs: toUsageRuns(daysOfMonth.filter((day) => day.quantity > 0)) });
    this.usage.set(period, byPeriod);
    this.writes.push({ accountId, period, revision: this.revision });
  }

  usageRequests(): Array<{ accountIds: string[]; period?: string }> {
    return this.requests.filter((request) => request.pattern === PATTERNS.meteringMonthlyUsage);
  }

  close(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }
}

/** The catalog as billing sees it: price versions per product, and product look-ups. */
export class FakeCatalog {
  private readonly prices = new Map<string, PriceVersionMessage[]>();
  readonly requests: ResolvePricesRequest[] = [];
  private readonly subscriptions: Subscription[] = [];

  constructor(nc: NatsConnection) {
    this.subscriptions.push(
      respond<ResolvePricesRequest, ResolvePricesReply>(nc, PATTERNS.catalogResolvePrices, (request) => {
        this.requests.push(request);
        const prices: ResolvePricesReply['prices'] = {};
        for (const code of request.productCodes) {
          const versions = this.prices.get(code);
          if (!versions) continue;
          const sorted = [...versions].sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : 1));
          const inForce = sorted.filter((version) => version.effectiveFrom <= request.from).pop();
          prices[code] = sorted.filter((version) => version === inForce || (version.effectiveFrom > request.from && version.effectiveFrom <= request.to));
        }
        return { prices };
      }),
      respond<{ code: string }, GetProductReply>(nc, PATTERNS.catalogGetProduct, (request) => ({
        product: this.prices.has(request.code)
          ? { code: request.code, name: request.code, unit: 'agent', features: [], billingModes: ['pay_per_use'] }
          : null,
      })),
    );
  }

  price(productCode: string, unitPrice: string, effectiveFrom = '2020-01-01'): void {
    const list = this.prices.get(productCode) ?? [];
    list.push({ unitPrice, currency: 'USD', effectiveFrom });
    this.prices.set(productCode, list);
  }

  close(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }
}
