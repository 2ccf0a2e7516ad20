import { billingCalendar } from '@cec/kernel';
import type { BillingDeps, BillingRunView } from './billing.ports';
import { StartBillingRunUseCase } from './start-billing-run.use-case';

/** How far back the boot catch-up (R7.3) looks for months without a completed run. */
export const CATCH_UP_MONTHS = 12;

/**
 * R7.3: where the scheduler was down at 00:00 of the 1st, runs every ended month without a completed
 * run, oldest first, from the month of the first known account (at most {@link CATCH_UP_MONTHS}).
 */
export class CatchUpBillingRunsUseCase {
  private readonly start: StartBillingRunUseCase;

  constructor(private readonly deps: BillingDeps) {
    this.start = new StartBillingRunUseCase(deps);
  }

  async execute(): Promise<BillingRunView[]> {
    const earliest = await this.deps.accounts.earliestCreatedAt();
    if (!earliest) return [];
    const last = billingCalendar.lastEndedPeriod(this.deps.clock.now());
    let period = billingCalendar.periodOf(earliest);
    let floor = last;
    for (let index = 1; index < CATCH_UP_MONTHS; index += 1) floor = floor.previous();
    if (period.compare(floor) < 0) period = floor;
    const started: BillingRunView[] = [];
    for (; period.compare(last) <= 0; period = period.next()) {
      const outcome = await this.start.execute({ period: period.toString(), trigger: 'schedule' });
      if (outcome.created) started.push(outcome.run);
    }
    return started;
  }
}
