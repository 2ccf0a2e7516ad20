import { Period } from '@cec/kernel';
import type { BillingDeps, BillingRunView } from './billing.ports';

/** GET /v1/billing-runs?period= : newest first. */
export class ListBillingRunsUseCase {
  constructor(private readonly deps: BillingDeps) {}

  async execute(period: unknown): Promise<BillingRunView[]> {
    const parsed = period === undefined || period === '' ? null : Period.parse(period, 'period');
    return this.deps.runs.list(parsed);
  }
}
