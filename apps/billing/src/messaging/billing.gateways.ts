import { Period } from '@cec/kernel';
import {
  BillingRunJobMessage,
  GetProductReply,
  MonthlyUsageReply,
  MonthlyUsageRequest,
  PATTERNS,
  ResolvePricesReply,
  ResolvePricesRequest,
  SUBJECTS,
  UsageRevisionsReply,
  UsageRevisionsRequest,
} from '@cec/contracts';
import { JetStreamService, OutboxRelay, RpcClient } from '@cec/platform';
import type { CatalogGateway, EventRelay, JobQueue, UsageGateway } from '@cec/billing-application';

/** Metering over request/reply: a batch of accounts per request, never one account per call. */
export class RpcUsageGateway implements UsageGateway {
  constructor(private readonly rpc: RpcClient) {}

  monthlyUsage(period: Period, accountIds: readonly string[]): Promise<MonthlyUsageReply> {
    return this.rpc.request<MonthlyUsageReply, MonthlyUsageRequest>(PATTERNS.meteringMonthlyUsage, { period: period.toString(), accountIds: [...accountIds] });
  }

  revisions(request: UsageRevisionsRequest): Promise<UsageRevisionsReply> {
    return this.rpc.request<UsageRevisionsReply, UsageRevisionsRequest>(PATTERNS.meteringUsageRevisions, request);
  }
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

/** Jobs on the BILLING_JOBS work queue; the message id `${runId}:${batch}` lets JetStream drop repeats. */
export class JetStreamJobQueue implements JobQueue {
  constructor(private readonly jetStream: JetStreamService) {}

  async enqueue(jobs: readonly BillingRunJobMessage[]): Promise<void> {
    await Promise.all(jobs.map((job) => this.jetStream.publish(SUBJECTS.billingRunJob, job, `${job.runId}:${job.batch}`)));
  }
}

export class OutboxEventRelay implements EventRelay {
  constructor(private readonly relay: OutboxRelay) {}

  poke(): void {
    this.relay.poke();
  }
}
