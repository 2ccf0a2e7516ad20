import { DomainError } from '@cec/kernel';
import type { BillingDeps, BillingRunView } from './billing.ports';

/**
 * POST /v1/billing-runs/:id/cancel: a running run ends `cancelled`. Its jobs not yet processed are
 * acknowledged without billing (a bill is written only while its run is running); accounts already
 * billed stay billed. A cancelled run does not hold its period: a new run of the month may start.
 * Cancelling a cancelled run answers it again; any other ended run is a 409.
 */
export class CancelBillingRunUseCase {
  constructor(private readonly deps: Pick<BillingDeps, 'runs' | 'clock'>) {}

  async execute(runId: string): Promise<BillingRunView> {
    const outcome = await this.deps.runs.cancel(runId, this.deps.clock.now());
    const run = await this.deps.runs.find(runId);
    if (outcome === 'not_found' || !run) throw DomainError.notFound('BILLING_RUN_NOT_FOUND', `billing run "${runId}" does not exist`);
    if (outcome === 'not_running' && run.status !== 'cancelled') {
      throw new DomainError('BILLING_RUN_NOT_RUNNING', `billing run "${runId}" is ${run.status}: only a running run can be cancelled`);
    }
    return run;
  }
}
