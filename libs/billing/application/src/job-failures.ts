import { classifyFailure, type TypedFailure } from '@cec/kernel';
import { StaleAccountError } from './billing.ports';

/**
 * How a run treats what went wrong (one place, over the kernel's classification): a bill drafted
 * on a state someone else changed is retried; everything else is retryable or permanent as
 * `classifyFailure` says (an app or the database away: retryable; a refusal, data that cannot be
 * rated or stored, a numeric overflow: permanent).
 */
export function jobFailureOf(error: unknown): TypedFailure {
  if (error instanceof StaleAccountError) return { statusCode: 409, code: 'STALE_ACCOUNT', message: error.message, retryable: true };
  return classifyFailure(error);
}

/**
 * Delay before delivery `attempt + 1` of a job that failed retryably: the list's `attempt`-th entry
 * (1-based), its last entry after that.
 */
export function retryDelayMs(delaysMs: readonly number[], attempt: number): number {
  if (delaysMs.length === 0) return 1000;
  return delaysMs[Math.min(Math.max(attempt, 1), delaysMs.length) - 1];
}
