import type { BillingDeps } from './billing.ports';
import { publishMissingJobs } from './publish-run-jobs';

/**
 * After a crash (at boot, and from time to time): publishes the queued jobs of running runs whose
 * message is not on the work queue (committed but never published, or gone from the stream). Jobs
 * whose message is still there are left to JetStream (redelivered if a replica dies), never copied.
 */
export class ResumeBillingRunsUseCase {
  constructor(private readonly deps: BillingDeps) {}

  async execute(): Promise<number> {
    let published = 0;
    for (const run of await this.deps.runs.runningRuns()) {
      published += await publishMissingJobs(this.deps, run.id);
    }
    return published;
  }
}
