import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CONSUMERS, STREAMS, SUBJECTS } from '@cec/contracts';
import { DecodedMessage, decodeJson, describeError, JetStreamService } from '@cec/platform';
import { ProcessBillingJobUseCase, retryDelayMs } from '@cec/billing-application';
import { BILLING_RUN_SETTINGS } from '../billing.tokens';
import type { BillingRunSettings } from '../billing.settings';

/**
 * Deliveries JetStream allows beyond the attempts the job makes: a replica that dies during the last
 * attempt leaves the job to another one, which records its failures (a job is never stranded).
 */
const SPARE_DELIVERIES = 3;

/**
 * Pulls run jobs from the BILLING_JOBS work queue (durable consumer shared by every replica) and
 * acks a job only after its accounts are committed or recorded as failed. While a job runs it tells
 * JetStream it is still working (`working()` every third of the ack wait), so the ack wait can be
 * short and a dead replica's job is taken over in seconds. A retryable failure (an app or the
 * database away) naks the job with a growing delay; the last attempt records the job's unbilled
 * accounts as failed, so that the run ends. Each job settles its own message.
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
    const ackWait = this.settings.jobAckWaitMs;
    await this.jetStream.startConsumer<unknown>({
      stream: STREAMS.billingJobs.name,
      durable: CONSUMERS.billingRunJobs,
      filterSubject: SUBJECTS.billingRunJob,
      batchSize: this.settings.jobsInParallel,
      maxWaitMs: 1000,
      ackWaitMs: ackWait,
      maxDeliver: this.settings.jobMaxAttempts + SPARE_DELIVERIES,
      // a delivery beyond the bound (its replicas died during every spare attempt) is not run again:
      // the job's unbilled accounts are recorded as failed, so that the run ends
      onTerminalFailure: async (message) => {
        const attempt = Math.max(this.settings.jobMaxAttempts, message.info.deliveryCount);
        await this.processJob.execute(decodeJson(message.data), { attempt, finalAttempt: true });
      },
      decode: decodeJson,
      handle: async (batch) => {
        // the jobs of one fetch run side by side (one's RPCs overlap another's transactions)
        await Promise.all(batch.map((entry) => this.handleOne(entry)));
      },
    });
  }

  private async handleOne(entry: DecodedMessage<unknown>): Promise<void> {
    if (!entry.ok) {
      this.logger.warn(`dropping an unreadable billing job: ${entry.error}`);
      return;
    }
    const attempt = Math.max(1, entry.raw.info.redeliveryCount);
    const heartbeat = setInterval(() => entry.raw.working(), Math.max(300, Math.floor(this.settings.jobAckWaitMs / 3)));
    try {
      const outcome = await this.processJob.execute(entry.value, { attempt, finalAttempt: attempt >= this.settings.jobMaxAttempts });
      if (outcome.kind === 'retry') {
        const delay = retryDelayMs(this.settings.jobRetryDelaysMs, attempt);
        const { failure } = outcome;
        this.logger.warn(
          `billing job attempt ${attempt} of ${this.settings.jobMaxAttempts} failed, again in ${delay} ms: ${failure.code} (${failure.statusCode}): ${failure.message}`,
        );
        entry.raw.nak(delay);
      } else if (outcome.kind === 'ignored') {
        this.logger.debug(`billing job ignored: ${outcome.reason}`);
      } else if (outcome.failed > 0) {
        this.logger.warn(`billing job finished with ${outcome.failed} failed account(s) (see the run's failures)`);
      }
    } catch (error) {
      // not even the outcome could be recorded (e.g. the database is away): deliver it again later
      const delay = retryDelayMs(this.settings.jobRetryDelaysMs, attempt);
      this.logger.error(`billing job attempt ${attempt} could not be recorded, again in ${delay} ms: ${describeError(error)}`);
      entry.raw.nak(delay);
    } finally {
      clearInterval(heartbeat);
    }
  }
}
