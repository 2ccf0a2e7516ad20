import { billingCalendar, DomainError, newId, Period } from '@cec/kernel';
import type { BillingDeps, BillingRunView, RunTrigger } from './billing.ports';
import { publishJobs } from './publish-run-jobs';

export interface StartRunCommand {
  period: unknown;
  trigger: RunTrigger;
}

export interface StartRunOutcome {
  run: BillingRunView;
  /** False when an existing run was returned (one running, or for the scheduler one completed). */
  created: boolean;
}

/**
 * Starts (or repeats) the run of an ended month (R7.1, R7.2). At most one run of a period runs at a
 * time (a partial unique index): a second start while one runs returns the running one and
 * re-publishes its unfinished jobs (harmless: jobs are idempotent). The scheduler does not repeat a
 * month that has a completed run; an operator may.
 */
export class StartBillingRunUseCase {
  constructor(private readonly deps: BillingDeps) {}

  async execute(command: StartRunCommand): Promise<StartRunOutcome> {
    const period = Period.parse(command.period, 'period');
    const now = this.deps.clock.now();
    if (!billingCalendar.hasEnded(period, now)) {
      throw new DomainError(
        'PERIOD_NOT_ENDED',
        `period ${period.toString()} has not ended yet: a run may start from ${billingCalendar.formatInstant(billingCalendar.endOfPeriod(period))} (R7.2)`,
      );
    }
    if (command.trigger === 'schedule') {
      const completed = (await this.deps.runs.list(period)).find((run) => run.status === 'completed');
      if (completed) return { run: completed, created: false };
    }
    const { run, created } = await this.deps.runs.start({
      id: newId('run'),
      period,
      trigger: command.trigger,
      startedAt: now,
      batchSize: this.deps.settings.batchSize,
    });
    if (run.status === 'running') {
      await publishJobs(this.deps, run.id, await this.deps.runs.openJobs(run.id, created));
    }
    return { run: (await this.deps.runs.find(run.id)) ?? run, created };
  }
}
