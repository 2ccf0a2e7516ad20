import { DomainError } from '@cec/kernel';
import type { BillingDeps, BillingRunView } from './billing.ports';

/** GET /v1/billing-runs/:id */
export class GetBillingRunUseCase {
  constructor(private readonly deps: BillingDeps) {}

  async execute(runId: string): Promise<BillingRunView> {
    const run = await this.deps.runs.find(runId);
    if (!run) throw DomainError.notFound('BILLING_RUN_NOT_FOUND', `billing run "${runId}" does not exist`);
    return run;
  }
}
