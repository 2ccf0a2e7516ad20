/** Tuning of metering's JetStream consumers (defaults for production; tests shorten the delays). */
export interface MeteringConsumerSettings {
  /** usage.reported messages per fetch (and per database transaction). */
  usageBatchSize: number;
  /** subscription.changed messages per fetch. */
  subscriptionBatchSize: number;
  /** Longest wait for a batch to fill, ms (the NATS client's minimum is 1000). */
  maxWaitMs: number;
  /**
   * A usage event for a subscription metering does not know yet is redelivered (nak with a
   * delay) until its delivery count reaches this number, then dead-lettered UNKNOWN_SUBSCRIPTION:
   * `subscription.changed` may arrive a little after the usage on NATS.
   */
  unknownSubscriptionDeliveries: number;
  /** Delay of the first redelivery, doubled each time, capped at `unknownSubscriptionMaxDelayMs`. */
  unknownSubscriptionDelayMs: number;
  unknownSubscriptionMaxDelayMs: number;
  /**
   * Ack deadline of both consumers, ms (#9.6): a batch held by an instance that died is handed to
   * another after this; a live instance reports `in_progress` every third of it while it works,
   * so a slow batch is never taken from it.
   */
  ackWaitMs: number;
  /**
   * Unacknowledged messages a consumer allows, in batches of its size (#9.6): batches held by
   * instances that died count until their ack wait ends, so this leaves room for several of them
   * plus the restarted instance's own batch (4 kills within a minute no longer stop ingestion).
   */
  maxAckPendingBatches: number;
}

export const DEFAULT_CONSUMER_SETTINGS: MeteringConsumerSettings = {
  usageBatchSize: 1000,
  subscriptionBatchSize: 500,
  maxWaitMs: 1000,
  unknownSubscriptionDeliveries: 5,
  unknownSubscriptionDelayMs: 1000,
  unknownSubscriptionMaxDelayMs: 8000,
  ackWaitMs: 10_000,
  maxAckPendingBatches: 8,
};

export const METERING_CONSUMER_SETTINGS = Symbol.for('cec.MeteringConsumerSettings');
