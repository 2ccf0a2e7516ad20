import { DomainError, isValidClientId, Period, type TypedFailure } from '@cec/kernel';
import type { BillingRunJobMessage } from '@cec/contracts';
import type { AccountFailure, BillingDeps } from './billing.ports';
import { BillAccountsUseCase } from './bill-accounts.use-case';
import { jobFailureOf } from './job-failures';

function parseJob(message: unknown): BillingRunJobMessage & { parsedPeriod: Period } {
  const value = (message ?? {}) as Partial<BillingRunJobMessage>;
  if (typeof value.runId !== 'string' || !Number.isInteger(value.batch) || !Array.isArray(value.accountIds)) {
    throw DomainError.validation('job must carry runId, batch and accountIds');
  }
  if (!value.accountIds.every((id) => isValidClientId(id))) throw DomainError.validation('job accountIds must be account ids');
  return { runId: value.runId, period: String(value.period), batch: value.batch as number, accountIds: value.accountIds, parsedPeriod: Period.parse(value.period, 'period') };
}

/** Which delivery of the job this is (1 = first), and whether it is the last one allowed. */
export interface JobDelivery {
  readonly attempt: number;
  readonly finalAttempt: boolean;
}

export type JobOutcome =
  /** Not a job, or its run is not running (cancelled, ended): acknowledged without billing. */
  | { readonly kind: 'ignored'; readonly reason: string }
  /** The job is finished: its accounts billed, or recorded as failed. */
  | { readonly kind: 'finished'; readonly processed: number; readonly issued: number; readonly skipped: number; readonly failed: number }
  /** A retryable failure before the last delivery: deliver the job again later. */
  | { readonly kind: 'retry'; readonly failure: TypedFailure };

/**
 * One job of the work queue: bills its accounts (each exactly once), records those that failed,
 * then marks the job finished and ends the run after its last job. A retryable failure asks for a
 * later delivery until the last one, which records the job's unbilled accounts as failed with the
 * failure's code and message: a job never loops and a run always ends. The consumer acknowledges
 * the message only after this returns, so a job cut short by a crash is redelivered; what was
 * committed is skipped the second time.
 */
export class ProcessBillingJobUseCase {
  private readonly billAccounts: BillAccountsUseCase;

  constructor(private readonly deps: BillingDeps) {
    this.billAccounts = new BillAccountsUseCase(deps);
  }

  async execute(message: unknown, delivery: JobDelivery = { attempt: 1, finalAttempt: false }): Promise<JobOutcome> {
    let job: ReturnType<typeof parseJob>;
    try {
      job = parseJob(message);
    } catch (error) {
      return { kind: 'ignored', reason: error instanceof Error ? error.message : String(error) };
    }
    const run = await this.deps.runs.find(job.runId);
    if (!run || run.status !== 'running' || run.period !== job.parsedPeriod.toString()) {
      return { kind: 'ignored', reason: run ? `run ${job.runId} is ${run.status}` : `run ${job.runId} does not exist` };
    }
    // a repeated message of a finished job (a resume's copy): acknowledged without asking any app
    if (!(await this.deps.runs.isJobQueued(job.runId, job.batch))) {
      return { kind: 'ignored', reason: `job ${job.runId}:${job.batch} is already finished` };
    }
    let failures: AccountFailure[];
    let counts = { processed: 0, issued: 0, skipped: 0 };
    try {
      const result = await this.billAccounts.execute({ runId: job.runId, period: job.parsedPeriod, accountIds: job.accountIds });
      failures = result.failures;
      counts = { processed: result.processed, issued: result.issued, skipped: result.skipped };
    } catch (error) {
      const failure = jobFailureOf(error);
      if (failure.retryable && !delivery.finalAttempt) return { kind: 'retry', failure };
      // permanent, or the last delivery: every account of the job not billed by now fails with it
      const states = await this.deps.ledger.loadStates([...new Set(job.accountIds)], job.parsedPeriod);
      failures = states.filter((state) => !state.processed).map((state) => ({ accountId: state.accountId, code: failure.code, message: failure.message }));
    }
    await this.deps.runs.finishJob(job.runId, job.batch, failures, delivery.attempt, this.deps.clock.now());
    return { kind: 'finished', ...counts, failed: failures.length };
  }
}
