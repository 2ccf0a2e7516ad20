import { NatsConnection, Subscription } from 'nats';
import { publishJson } from '@cec/testing';
import { GetProductReply, SUBJECTS, UsageChangedEvent, MonthlyUsageReply, MonthlyUsageRequest, PATTERNS, PriceVersionMessage, ResolvePricesReply, ResolvePricesRequest, SubscriptionUsageMessage, UsageRevisionsReply, UsageRevisionsRequest, toUsageRuns, usagePage } from '@cec/contracts';

/** An error body as another app answers it. */
export interface ErrorReply {
  statusCode: number;
  code: string;
  message: string;
}

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
          // an error body ({statusCode, code, message}) travels as it is, like a Nest RpcException's
          const err = failure !== null && typeof failure === 'object' && !(failure instanceof Error) ? failure : { message: String(failure) };
          message.respond(encoder.encode(JSON.stringify({ id: request.id, err, isDisposed: true })));
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
  readonly requests: Array<{ pattern: string; accountIds: string[]; period?: string; paged?: boolean; withRevision?: boolean }> = [];
  /**
   * When set, monthly usage requests fail while it returns true (simulates metering down) or an
   * error body (answered as metering's typed error, e.g. a permanent VALIDATION_FAILED).
   */
  failWhen: ((request: MonthlyUsageRequest) => boolean | ErrorReply) | null = null;
  /** Answers monthly usage this much later (a slow metering). */
  delayMs = 0;
  private readonly subscriptions: Subscription[] = [];

  constructor(nc: NatsConnection) {
    this.subscriptions.push(
      respond<MonthlyUsageRequest, MonthlyUsageReply>(nc, PATTERNS.meteringMonthlyUsage, async (request) => {
        if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
        this.requests.push({ pattern: PATTERNS.meteringMonthlyUsage, accountIds: request.accountIds, period: request.period, paged: request.after !== undefined, withRevision: request.withRevision });
        const failure = this.failWhen?.(request);
        if (failure === true) throw new Error('metering is unavailable');
        if (failure) throw failure;
        const accounts = new Set(request.accountIds);
        const subscriptions = [...(this.usage.get(request.period)?.values() ?? [])].filter((entry) => accounts.has(entry.accountId));
        // as metering answers: no revision when none was asked for (the prepaid guard)
        const answer: MonthlyUsageReply = { period: request.period, asOfRevision: request.withRevision === false ? null : this.revision.toString(), subscriptions };
        // like metering: pages by bytes when asked, REPLY_TOO_LARGE past what NATS carries otherwise
        const limit = (nc.info?.max_payload ?? 1024 * 1024) - 1024;
        if (request.maxBytes !== undefined) return usagePage(answer, request.after, Math.min(request.maxBytes, limit));
        const size = Buffer.byteLength(JSON.stringify(answer));
        if (size > limit) throw { statusCode: 413, code: 'REPLY_TOO_LARGE', message: `the reply is ${size} bytes, more than ${limit}` };
        return answer;
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

  /**
   * Issue 10: announces a timeline write as metering does, `metering.usage.changed` on
   * METERING_EVENTS (message id = event id), at the current revision.
   */
  async announce(nc: NatsConnection, accountId: string, subscriptionId: string, period: string): Promise<UsageChangedEvent> {
    const revision = this.revision.toString();
    const event: UsageChangedEvent = { id: `usage-changed-${revision}-${subscriptionId}`, occurredAt: '2026-04-10T00:00:00Z', accountId, subscriptionId, period, revision };
    await publishJson(nc, SUBJECTS.usageChanged, event, event.id);
    return event;
  }

  /** The whole answer for a month and accounts, unpaged (to measure what one reply would carry). */
  answer(period: string, accountIds: readonly string[]): MonthlyUsageReply {
    const accounts = new Set(accountIds);
    const subscriptions = [...(this.usage.get(period)?.values() ?? [])].filter((entry) => accounts.has(entry.accountId));
    return { period, asOfRevision: this.revision.toString(), subscriptions };
  }

  usageRequests(): Array<{ accountIds: string[]; period?: string; paged?: boolean; withRevision?: boolean }> {
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
  /** When set, price requests fail (the catalog away, retryable) while it returns true. */
  failWhen: ((request: ResolvePricesRequest) => boolean) | null = null;
  private readonly subscriptions: Subscription[] = [];

  constructor(nc: NatsConnection) {
    this.subscriptions.push(
      respond<ResolvePricesRequest, ResolvePricesReply>(nc, PATTERNS.catalogResolvePrices, (request) => {
        this.requests.push(request);
        if (this.failWhen?.(request)) throw new Error('the catalog is unavailable');
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
