import { ConfigError } from '../config/app-config';

/** Tuning of the outbox relay (environment, validated at boot). */
export interface OutboxSettings {
  /** Published rows older than this are deleted (`OUTBOX_RETENTION_HOURS`, default 24). */
  retentionHours: number;
  /** How often published rows past the retention are pruned, ms. */
  pruneIntervalMs: number;
  /** Rows deleted per statement when pruning (a long backlog is pruned in several statements). */
  pruneChunk: number;
  /** Rows claimed per relay pass (one transaction). */
  batchSize: number;
  /** Publishes in flight at once. */
  publishConcurrency: number;
  /** Failed publishes of one row before it is parked (`failed_at` set, `last_error` kept). */
  maxAttempts: number;
  /** Delay before the first retry of a row, doubled per attempt, capped at `retryMaxDelayMs`. */
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** Pause between passes when idle (a commit that enqueues pokes the relay sooner). */
  idleDelayMs: number;
}

export const OUTBOX_SETTINGS = Symbol.for('cec.OutboxSettings');

export const DEFAULT_OUTBOX_SETTINGS: OutboxSettings = {
  retentionHours: 24,
  pruneIntervalMs: 10 * 60 * 1000,
  pruneChunk: 5000,
  batchSize: 200,
  publishConcurrency: 32,
  maxAttempts: 12,
  retryBaseDelayMs: 1000,
  retryMaxDelayMs: 5 * 60 * 1000,
  idleDelayMs: 500,
};

export function loadOutboxSettings(env: Record<string, string | undefined> = process.env): OutboxSettings {
  const raw = env['OUTBOX_RETENTION_HOURS'];
  let retentionHours = DEFAULT_OUTBOX_SETTINGS.retentionHours;
  if (raw !== undefined && raw !== '') {
    retentionHours = Number(raw);
    if (!Number.isFinite(retentionHours) || retentionHours <= 0) {
      throw new ConfigError(`OUTBOX_RETENTION_HOURS must be a positive number of hours, got "${raw}"`);
    }
  }
  return { ...DEFAULT_OUTBOX_SETTINGS, retentionHours };
}
