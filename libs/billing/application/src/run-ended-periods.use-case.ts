import type { DateTime } from 'luxon';
import { billingCalendar } from '@cec/kernel';
import type { BillingDeps, BillingRunView } from './billing.ports';
import { StartBillingRunUseCase } from './start-billing-run.use-case';

/**
 * The scheduler's tick (R7.1), for the cron at 00:00 Asia/Shanghai on the 1st and for a test clock
 * moved forward: runs every month that ended in (from, to].
 */
export class RunEndedPeriodsUseCase {
  private readonly start: StartBillingRunUseCase;

  constructor(deps: BillingDeps) {
    this.start = new StartBillingRunUseCase(deps);
  }

  async execute(from: DateTime, to: DateTime): Promise<BillingRunView[]> {
    const runs: BillingRunView[] = [];
    if (to <= from) return runs;
    for (let period = billingCalendar.periodOf(from); billingCalendar.endOfPeriod(period) <= to; period = period.next()) {
      const outcome = await this.start.execute({ period: period.toString(), trigger: 'schedule' });
      runs.push(outcome.run);
    }
    return runs;
  }
}
