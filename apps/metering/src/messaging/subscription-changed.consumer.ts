import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CONSUMERS, STREAMS, SUBJECTS } from '@cec/contracts';
import { decodeJson, DecodedMessage, JetStreamService, OutboxRelay } from '@cec/platform';
import { RecordSubscriptionChangesUseCase } from '@cec/metering-application';
import { METERING_CONSUMER_SETTINGS, MeteringConsumerSettings } from './consumer-settings';
import { messageText, natsMessageKey } from './nats-message-key';

/** `subscription.changed` (stream BILLING_EVENTS): the timelines' state points, acked after commit. */
@Injectable()
export class SubscriptionChangedConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger(SubscriptionChangedConsumer.name);

  constructor(
    private readonly jetStream: JetStreamService,
    private readonly relay: OutboxRelay,
    private readonly record: RecordSubscriptionChangesUseCase,
    @Inject(METERING_CONSUMER_SETTINGS) private readonly settings: MeteringConsumerSettings,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jetStream.startConsumer<unknown>({
      stream: STREAMS.billingEvents.name,
      durable: CONSUMERS.meteringSubscriptionChanges,
      filterSubject: SUBJECTS.subscriptionChanged,
      batchSize: this.settings.subscriptionBatchSize,
      maxWaitMs: Math.max(1000, this.settings.maxWaitMs),
      ackWaitMs: this.settings.ackWaitMs,
      maxAckPending: this.settings.subscriptionBatchSize * this.settings.maxAckPendingBatches,
      decode: decodeJson,
      handle: (batch) => this.handle(batch),
    });
  }

  private async handle(batch: DecodedMessage<unknown>[]): Promise<void> {
    const result = await this.record.execute(
      batch.map((message) => ({
        payload: message.ok ? message.value : undefined,
        malformed: message.ok ? undefined : { reason: message.error, text: message.text },
        natsKey: natsMessageKey(message.raw),
        rawText: () => messageText(message.raw),
      })),
    );
    // issue 10: the batch's `metering.usage.changed` rows are committed: relay them now
    if (result.recorded > 0) this.relay.poke();
    if (result.refused > 0) {
      this.logger.error(`subscription.changed: ${result.refused} malformed event(s) dead-lettered (kind subscription_change)`);
    }
  }
}
