import type { BillingRunJobMessage } from '@cec/contracts';
import type { BillingDeps } from './billing.ports';

/** Publishes jobs on the work queue, then records that they were published. */
export async function publishJobs(deps: BillingDeps, runId: string, jobs: readonly BillingRunJobMessage[]): Promise<void> {
  if (jobs.length === 0) return;
  await deps.jobs.enqueue(jobs);
  await deps.runs.markPublished(
    runId,
    jobs.map((job) => job.batch),
    deps.clock.now(),
  );
}
