import { DomainError } from '@cec/kernel';
import type { BillingDeps, BillingRunView, RunFailureView } from './billing.ports';
import { publishJobs } from './publish-run-jobs';

/**
 * POST /v1/billing-runs/:id/retry-failures: a run `completed_with_failures` runs again for its
 * failed accounts only (new jobs; each account still billed at most once per period by the unique
 * keys). Refused (409) while another run of the period runs, or when the run has no failures. When
 * every failed account was billed by another run meanwhile, the run is marked completed (no job).
 */
export class RetryBillingRunFailuresUseCase {
  constructor(private readonly deps: BillingDeps) {}

  async execute(runId: string): Promise<BillingRunView> {
    const result = await this.deps.runs.retryFailures(runId, this.deps.settings.batchSize, this.deps.clock.now());
    if (result.outcome !== 'retrying') throw refusal(runId, result.outcome);
    await publishJobs(this.deps, runId, result.jobs);
    return (await this.deps.runs.find(runId)) as BillingRunView;
  }
}

function refusal(runId: string, outcome: 'not_found' | 'no_failures' | 'other_run_running'): DomainError {
  if (outcome === 'not_found') return DomainError.notFound('BILLING_RUN_NOT_FOUND', `billing run "${runId}" does not exist`);
  if (outcome === 'no_failures') {
    return new DomainError('BILLING_RUN_HAS_NO_FAILURES', `billing run "${runId}" has no failed accounts to retry (only a run completed_with_failures has)`);
  }
  return new DomainError('BILLING_RUN_IN_PROGRESS', `another run of the period of billing run "${runId}" is running; retry its failures when it has ended`);
}

/** GET /v1/billing-runs/:id/failures: the run's failed accounts and why. */
export class ListBillingRunFailuresUseCase {
  constructor(private readonly deps: Pick<BillingDeps, 'runs'>) {}

  async execute(runId: string): Promise<RunFailureView[]> {
    const failures = await this.deps.runs.failures(runId);
    if (!failures) throw DomainError.notFound('BILLING_RUN_NOT_FOUND', `billing run "${runId}" does not exist`);
    return failures;
  }
}
