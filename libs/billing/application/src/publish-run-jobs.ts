import type { BillingRunJobMessage } from '@cec/contracts';
import type { BillingDeps } from './billing.ports';

/** Publishes jobs on the work queue, then records that they were published (and their stream sequences). */
export async function publishJobs(deps: BillingDeps, runId: string, jobs: readonly BillingRunJobMessage[]): Promise<void> {
  if (jobs.length === 0) return;
  const streamSeqs = await deps.jobs.enqueue(jobs);
  await deps.runs.markPublished(
    runId,
    jobs.map((job) => job.batch),
    deps.clock.now(),
    streamSeqs && streamSeqs.length === jobs.length ? streamSeqs : undefined,
  );
}

/**
 * #10 review: (re)publishes a running run's queued jobs whose message is not on the work queue:
 * never published, or published and gone (acked by a consumer that did not finish it, or lost by
 * the server). A queued job whose message is still on the queue (waiting or being worked on) is not
 * published again, so restarts and resumes never pile up copies of a job beyond JetStream's dedupe
 * window; a copy that slips through anyway (its job finished meanwhile) is acked without work by
 * the job's consumer. Answers the number of jobs published.
 */
export async function publishMissingJobs(deps: BillingDeps, runId: string): Promise<number> {
  const queued = await deps.runs.queuedJobs(runId);
  const known = queued.flatMap((entry) => (entry.streamSeq === null ? [] : [entry.streamSeq]));
  const onQueue = known.length > 0 ? await deps.jobs.stillQueued(known) : new Set<number>();
  const missing = queued.filter((entry) => entry.streamSeq === null || !onQueue.has(entry.streamSeq)).map((entry) => entry.job);
  await publishJobs(deps, runId, missing);
  return missing.length;
}
