import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CONSUMERS, STREAMS, SUBJECTS } from '@cec/contracts';
import { DecodedMessage, decodeJson, JetStreamService } from '@cec/platform';
import { ProcessBillingJobUseCase } from '@cec/billing-application';
import { BILLING_RUN_SETTINGS } from '../billing.tokens';
import type { BillingRunSettings } from '../billing.settings';

/**
 * Pulls run jobs from the BILLING_JOBS work queue (durable consumer shared by every replica), one
 * job at a time, and acks a job only after its accounts are committed. While a job runs it tells
 * JetStream it is still working; a replica that dies leaves its job to be redelivered.
 */
@Injectable()
export class BillingRunJobsHandler implements OnApplicationBootstrap {
  private readonly logger = new Logger(BillingRunJobsHandler.name);

  constructor(
    private readonly jetStream: JetStreamService,
    private readonly processJob: ProcessBillingJobUseCase,
    @Inject(BILLING_RUN_SETTINGS) private readonly settings: BillingRunSettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.settings.consumeJobs) return;
    await this.jetStream.startConsumer<unknown>({
      stream: STREAMS.billingJobs.name,
      durable: CONSUMERS.billingRunJobs,
      filterSubject: SUBJECTS.billingRunJob,
      batchSize: this.settings.jobsInParallel,
      maxWaitMs: 1000,
      ackWaitMs: this.settings.jobAckWaitMs,
      decode: decodeJson,
      handle: async (batch) => {
        // the jobs of one fetch run side by side (one's RPCs overlap another's transactions); a
        // failure naks the whole fetch, and a job that had finished is then a no-op the second time
        await Promise.all(batch.map((entry) => this.handleOne(entry)));
      },
    });
  }

  private async handleOne(entry: DecodedMessage<unknown>): Promise<void> {
    if (!entry.ok) {
      this.logger.warn(`dropping an unreadable billing job: ${entry.error}`);
      return;
    }
    const heartbeat = setInterval(() => entry.raw.working(), Math.max(500, Math.floor(this.settings.jobAckWaitMs / 3)));
    try {
      await this.processJob.execute(entry.value);
    } finally {
      clearInterval(heartbeat);
    }
  }
}
