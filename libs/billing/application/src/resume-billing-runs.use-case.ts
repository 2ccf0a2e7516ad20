import type { BillingDeps } from './billing.ports';
import { publishJobs } from './publish-run-jobs';

/**
 * After a crash (at boot, and from time to time): publishes the jobs of running runs that were
 * committed but never published. Jobs published and not acknowledged are redelivered by JetStream.
 */
export class ResumeBillingRunsUseCase {
  constructor(private readonly deps: BillingDeps) {}

  async execute(): Promise<number> {
    let published = 0;
    for (const run of await this.deps.runs.runningRuns()) {
      const jobs = await this.deps.runs.openJobs(run.id, true);
      await publishJobs(this.deps, run.id, jobs);
      published += jobs.length;
    }
    return published;
  }
}
