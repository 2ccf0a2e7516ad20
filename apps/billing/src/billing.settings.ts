import { ConfigError } from '@cec/platform';
import type { BillingSettings } from '@cec/billing-application';

/** Settings of the billing run, from the environment (defaults suit one 2-core machine). */
export interface BillingRunSettings extends BillingSettings {
  /**
   * Ack deadline of a job on the work queue; a job in progress tells JetStream it is still working
   * (every third of it), so a job of a replica that died is taken over after about this long.
   */
  readonly jobAckWaitMs: number;
  /** Deliveries of a job at most; the last one records the job's unbilled accounts as failed. */
  readonly jobMaxAttempts: number;
  /** Waits before the 2nd, 3rd, … delivery of a job that failed retryably (the last one repeats), ms. */
  readonly jobRetryDelaysMs: readonly number[];
  /** Jobs a replica works on at a time. */
  readonly jobsInParallel: number;
  /** Whether this replica pulls jobs from the work queue (all do by default). */
  readonly consumeJobs: boolean;
  /** R7.3: a scheduler tick (the catch-up) at boot. */
  readonly catchUpOnBoot: boolean;
  /** Whether the 5-minute scheduler tick runs (R7.1, #9.5); off only in tests that drive it. */
  readonly schedulerTick: boolean;
  /** #9.4: longest wait for the account consumer to catch up before a run plans (ms). */
  readonly accountFeedWaitMs: number;
  /** How often a replica publishes jobs that were planned but never published (ms; 0 = never). */
  readonly sweepIntervalMs: number;
}

type Env = Record<string, string | undefined>;

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(`${name} must be a whole number >= 0, got "${raw}"`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = (env[name] ?? '').toLowerCase();
  if (raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

function delays(env: Env, name: string, fallback: readonly number[]): readonly number[] {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const values = raw.split(',').map((part) => Number(part.trim()));
  if (values.length === 0 || !values.every((value) => Number.isInteger(value) && value >= 0)) {
    throw new ConfigError(`${name} must be a comma-separated list of whole numbers of ms >= 0, got "${raw}"`);
  }
  return values;
}

export function loadBillingRunSettings(env: Env = process.env, overrides: Partial<BillingRunSettings> = {}): BillingRunSettings {
  const settings: BillingRunSettings = {
    batchSize: Math.max(1, positiveInt(env, 'BILLING_RUN_BATCH_SIZE', 2000)),
    accountConcurrency: Math.max(1, positiveInt(env, 'BILLING_ACCOUNT_CONCURRENCY', 6)),
    writeBatchSize: Math.max(1, positiveInt(env, 'BILLING_WRITE_BATCH_SIZE', 500)),
    jobsInParallel: Math.max(1, positiveInt(env, 'BILLING_JOBS_IN_PARALLEL', 2)),
    jobAckWaitMs: Math.max(1000, positiveInt(env, 'BILLING_JOB_ACK_WAIT_MS', 10_000)),
    jobMaxAttempts: Math.max(1, positiveInt(env, 'BILLING_JOB_MAX_ATTEMPTS', 8)),
    jobRetryDelaysMs: delays(env, 'BILLING_JOB_RETRY_DELAYS_MS', [2000, 5000, 10_000, 20_000, 30_000, 60_000]),
    consumeJobs: bool(env, 'BILLING_CONSUME_JOBS', true),
    catchUpOnBoot: bool(env, 'BILLING_CATCH_UP_ON_BOOT', true),
    schedulerTick: bool(env, 'BILLING_SCHEDULER_TICK', true),
    accountFeedWaitMs: positiveInt(env, 'BILLING_ACCOUNT_FEED_WAIT_MS', 10_000),
    sweepIntervalMs: positiveInt(env, 'BILLING_SWEEP_INTERVAL_MS', 60_000),
    ...overrides,
  };
  return settings;
}
