import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CONSUMERS, STREAMS, SUBJECTS } from '@cec/contracts';
import { decodeJson, DecodedMessage, JetStreamService, OutboxRelay } from '@cec/platform';
import { IngestItem, IngestUsageEventsUseCase } from '@cec/metering-application';
import { METERING_CONSUMER_SETTINGS, MeteringConsumerSettings } from './consumer-settings';
import { messageText, natsMessageKey } from './nats-message-key';

/**
 * `usage.reported` (stream USAGE), durable pull consumer shared by every replica: batches of up to
 * `usageBatchSize` go through the same ingestion as REST (R6) in one transaction, and are acked
 * only after it commits (JetStreamService). Malformed JSON is dead-lettered with source `nats`.
 * An event for a subscription not known yet is stored parked and acked (#9.3), exactly as on
 * REST: nothing is redelivered for it, so no redelivery budget decides its fate. A batch whose
 * transaction fails (a database hiccup) is redelivered whole by the consumer loop; no refusal
 * depends on the delivery count.
 */
@Injectable()
export class UsageReportedConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsageReportedConsumer.name);

  constructor(
    private readonly jetStream: JetStreamService,
    private readonly relay: OutboxRelay,
    private readonly ingest: IngestUsageEventsUseCase,
    @Inject(METERING_CONSUMER_SETTINGS) private readonly settings: MeteringConsumerSettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jetStream.startConsumer<unknown>({
      stream: STREAMS.usage.name,
      durable: CONSUMERS.meteringUsage,
      filterSubject: SUBJECTS.usageReported,
      batchSize: this.settings.usageBatchSize,
      concurrency: this.settings.usageFetchLoops,
      maxWaitMs: Math.max(1000, this.settings.maxWaitMs),
      ackWaitMs: this.settings.ackWaitMs,
      // every fetch loop of an instance that died holds its batch until the ack wait ends
      maxAckPending: this.settings.usageBatchSize * this.settings.usageFetchLoops * this.settings.maxAckPendingBatches,
      decode: decodeJson,
      handle: (batch) => this.handle(batch),
    });
  }

  private async handle(batch: DecodedMessage<unknown>[]): Promise<void> {
    const items: IngestItem[] = batch.map((message) => new UsageMessageItem(message));
    const result = await this.ingest.execute({ source: 'nats', items });
    // issue 10: the batch's `metering.usage.changed` rows are committed: relay them now
    if (result.accepted > 0) this.relay.poke();
    if (result.rejected.length > 0 || result.parked > 0) {
      this.logger.warn(
        `usage.reported batch of ${batch.length}: ${result.accepted} accepted (${result.parked} parked: subscription not known yet), ` +
          `${result.duplicates} duplicates, ${result.rejected.length} dead-lettered`,
      );
    }
  }
}

/**
 * One `usage.reported` message as an ingestion item. Its stream key and text are read only when
 * the event is refused (#11: building the key parses the message's reply subject, for every
 * message of every batch, and a good event never needs it).
 */
class UsageMessageItem implements IngestItem {
  constructor(private readonly message: DecodedMessage<unknown>) {}

  get payload(): unknown {
    return this.message.ok ? this.message.value : undefined;
  }

  get malformed(): { reason: string; text: string } | undefined {
    return this.message.ok ? undefined : { reason: this.message.error, text: this.message.text };
  }

  get natsKey(): string {
    return natsMessageKey(this.message.raw);
  }

  rawText(): string {
    return messageText(this.message.raw);
  }
}
