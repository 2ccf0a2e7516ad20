import { Period, RemoteCallError } from '@cec/kernel';
import {
  BillingRunJobMessage,
  compareUsageCursor,
  GetProductReply,
  MonthlyUsageReply,
  MonthlyUsageRequest,
  PATTERNS,
  ResolvePricesReply,
  ResolvePricesRequest,
  STREAMS,
  SUBJECTS,
  UsageRevisionsReply,
  UsageRevisionsRequest,
} from '@cec/contracts';
import { JetStreamService, OutboxRelay, RpcClient } from '@cec/platform';
import type { CatalogGateway, EventRelay, JobQueue, UsageGateway } from '@cec/billing-application';

/** Bytes of usage per reply billing asks metering for (metering also caps it at what NATS carries). */
export const USAGE_PAGE_BYTES = 512 * 1024;
/** Bytes of account entries per revisions request (its reply is smaller than its request). */
const REVISIONS_REQUEST_BYTES = 256 * 1024;
/** More pages than this for one batch means a responder that does not progress. */
const MAX_USAGE_PAGES = 10_000;

/**
 * Metering over request/reply: a batch of accounts per request, never one account per call. Usage
 * comes in pages bounded by bytes (never by a guess of accounts per reply): a month where every
 * quantity changes daily needs several pages for one batch; the answer keeps the lowest revision.
 */
export class RpcUsageGateway implements UsageGateway {
  constructor(
    private readonly rpc: RpcClient,
    private readonly pageBytes = USAGE_PAGE_BYTES,
  ) {}

  async monthlyUsage(period: Period, accountIds: readonly string[], options: { withRevision: boolean } = { withRevision: true }): Promise<MonthlyUsageReply> {
    const request: MonthlyUsageRequest = { period: period.toString(), accountIds: [...accountIds], maxBytes: this.pageBytes };
    if (!options.withRevision) request.withRevision = false;
    const merged: MonthlyUsageReply = { period: period.toString(), asOfRevision: null, subscriptions: [] };
    let lowest: bigint | null = null;
    for (let pages = 1; ; pages += 1) {
      const page = await this.rpc.request<MonthlyUsageReply, MonthlyUsageRequest>(PATTERNS.meteringMonthlyUsage, request);
      // not asked for, a revision may still come (a metering that predates withRevision): it is ignored
      const validRevision = typeof page?.asOfRevision === 'string' && /^\d{1,19}$/.test(page.asOfRevision);
      const revisionOk = validRevision || (!options.withRevision && (page?.asOfRevision === null || page?.asOfRevision === undefined));
      if (!page || !Array.isArray(page.subscriptions) || !revisionOk) {
        throw new RemoteCallError(502, 'INVALID_REPLY', `${PATTERNS.meteringMonthlyUsage}: a page without subscriptions or a valid asOfRevision`, false);
      }
      merged.subscriptions.push(...page.subscriptions);
      if (options.withRevision && typeof page.asOfRevision === 'string') {
        const revision = BigInt(page.asOfRevision);
        if (lowest === null || revision < lowest) lowest = revision;
      }
      const next = page.next;
      if (!next) break;
      const after = request.after;
      if (pages >= MAX_USAGE_PAGES || (after && compareUsageCursor(next, after) <= 0)) {
        throw new RemoteCallError(502, 'INVALID_REPLY', `${PATTERNS.meteringMonthlyUsage}: paging does not progress (page ${pages})`, false);
      }
      request.after = { accountId: next.accountId, subscriptionId: next.subscriptionId };
    }
    merged.asOfRevision = lowest === null ? null : lowest.toString();
    return merged;
  }

  async revisions(request: UsageRevisionsRequest): Promise<UsageRevisionsReply> {
    const revisions: UsageRevisionsReply['revisions'] = [];
    for (const accounts of chunkByBytes(request.accounts, REVISIONS_REQUEST_BYTES)) {
      const reply = await this.rpc.request<UsageRevisionsReply, UsageRevisionsRequest>(PATTERNS.meteringUsageRevisions, { accounts });
      revisions.push(...(reply?.revisions ?? []));
    }
    return { revisions };
  }
}

/** Consecutive chunks of `items` whose JSON stays within `maxBytes` (each holds at least one item). */
export function chunkByBytes<T>(items: readonly T[], maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    const itemBytes = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (current.length > 0 && size + itemBytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += itemBytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export class RpcCatalogGateway implements CatalogGateway {
  constructor(private readonly rpc: RpcClient) {}

  resolvePrices(request: ResolvePricesRequest): Promise<ResolvePricesReply> {
    return this.rpc.request<ResolvePricesReply, ResolvePricesRequest>(PATTERNS.catalogResolvePrices, request);
  }

  async productExists(code: string): Promise<boolean> {
    const reply = await this.rpc.request<GetProductReply>(PATTERNS.catalogGetProduct, { code });
    return reply?.product !== null && reply?.product !== undefined;
  }
}

/**
 * Jobs on the BILLING_JOBS work queue; the message id `${runId}:${batch}` lets JetStream drop
 * repeats. A run's correlation id is its run id (`X-Correlation-Id`), so one run can be followed
 * in every app's logs.
 */
export class JetStreamJobQueue implements JobQueue {
  constructor(private readonly jetStream: JetStreamService) {}

  async enqueue(jobs: readonly BillingRunJobMessage[]): Promise<readonly number[]> {
    return Promise.all(jobs.map((job) => this.jetStream.publish(SUBJECTS.billingRunJob, job, `${job.runId}:${job.batch}`, job.runId)));
  }

  async stillQueued(streamSeqs: readonly number[]): Promise<Set<number>> {
    const found = new Set<number>();
    for (let start = 0; start < streamSeqs.length; start += 32) {
      const chunk = streamSeqs.slice(start, start + 32);
      const present = await Promise.all(chunk.map((seq) => this.jetStream.hasMessage(STREAMS.billingJobs.name, seq)));
      chunk.forEach((seq, index) => {
        if (present[index]) found.add(seq);
      });
    }
    return found;
  }
}

export class OutboxEventRelay implements EventRelay {
  constructor(private readonly relay: OutboxRelay) {}

  poke(): void {
    this.relay.poke();
  }
}
