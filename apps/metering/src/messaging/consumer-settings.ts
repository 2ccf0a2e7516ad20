import { ConfigError } from '@cec/platform';

/** Tuning of metering's JetStream consumers and parked usage (defaults for production; tests shorten the delays). */
export interface MeteringConsumerSettings {
  /** usage.reported messages per fetch (and per database transaction). */
  usageBatchSize: number;
  /**
   * usage.reported fetch loops per instance (#11): while one batch commits, the next ones are
   * fetched and written, as by replicas; batches of one instance commit concurrently.
   */
  usageFetchLoops: number;
  /** subscription.changed messages per fetch. */
  subscriptionBatchSize: number;
  /** Longest wait for a batch to fill, ms (the NATS client's minimum is 1000). */
  maxWaitMs: number;
  /**
   * #9.3: how long a usage event for a subscription metering does not know is kept parked (from
   * its receipt) before it is dead-lettered UNKNOWN_SUBSCRIPTION. `PARKED_USAGE_TTL_SECONDS`,
   * default 24 h.
   */
  parkedUsageTtlMs: number;
  /** How often a replica sweeps the parked usage (`PARKED_USAGE_SWEEP_SECONDS`, default 60 s; 0 = never). */
  parkedUsageSweepIntervalMs: number;
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
  usageBatchSize: 2000,
  usageFetchLoops: 3,
  subscriptionBatchSize: 500,
  maxWaitMs: 1000,
  parkedUsageTtlMs: 24 * 3600 * 1000,
  parkedUsageSweepIntervalMs: 60_000,
  ackWaitMs: 10_000,
  maxAckPendingBatches: 8,
};

type Env = Record<string, string | undefined>;

function seconds(env: Env, name: string, fallbackMs: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallbackMs;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || !/^\d+(\.\d+)?$/.test(raw)) {
    throw new ConfigError(`${name} must be a number of seconds >= 0, got "${raw}"`);
  }
  return Math.round(value * 1000);
}

/** The settings from the environment, then the overrides (tests). */
export function loadMeteringConsumerSettings(env: Env = process.env, overrides: Partial<MeteringConsumerSettings> = {}): MeteringConsumerSettings {
  return {
    ...DEFAULT_CONSUMER_SETTINGS,
    parkedUsageTtlMs: seconds(env, 'PARKED_USAGE_TTL_SECONDS', DEFAULT_CONSUMER_SETTINGS.parkedUsageTtlMs),
    parkedUsageSweepIntervalMs: seconds(env, 'PARKED_USAGE_SWEEP_SECONDS', DEFAULT_CONSUMER_SETTINGS.parkedUsageSweepIntervalMs),
    ...overrides,
  };
}

export const METERING_CONSUMER_SETTINGS = Symbol.for('cec.MeteringConsumerSettings');
