import { billingCalendar, DomainError, newId, Period } from '@cec/kernel';
import type { AccountFeed, BillingDeps, BillingRunView, RunTrigger } from './billing.ports';
import { publishJobs, publishMissingJobs } from './publish-run-jobs';

export interface StartRunCommand {
  period: unknown;
  trigger: RunTrigger;
}

export interface StartRunOutcome {
  run: BillingRunView;
  /** False when the run of the period that was already running was returned. */
  created: boolean;
}

/**
 * Starts (or repeats) the run of an ended month (R7.1, R7.2). At most one run of a period runs at a
 * time (a partial unique index): a second start while one runs returns the running one and
 * re-publishes those of its queued jobs whose message is no longer on the work queue
 * ({@link publishMissingJobs}). A new run plans the accounts not yet processed for the month that
 * no other run owns: never one with an open failure in another run of the month (retry-failures
 * bills it), and for the scheduler (`trigger: 'schedule'`) never one an earlier run of the month
 * planned (what a cancelled run left is billed by an operator's run). Which months the scheduler
 * runs is decided by its tick (PlanDueRunsUseCase).
 *
 * With an {@link AccountFeed} (operator runs, #9.4), the run plans only once billing's account
 * mirror has caught up with the accounts announced to it: it waits a bounded time and otherwise
 * refuses with ACCOUNTS_NOT_CAUGHT_UP (503, retry later), having changed nothing.
 */
export class StartBillingRunUseCase {
  constructor(
    private readonly deps: BillingDeps,
    private readonly feed: { feed: AccountFeed; waitMs: number; pollMs?: number } | null = null,
  ) {}

  async execute(command: StartRunCommand): Promise<StartRunOutcome> {
    const period = Period.parse(command.period, 'period');
    const now = this.deps.clock.now();
    if (!billingCalendar.hasEnded(period, now)) {
      throw new DomainError(
        'PERIOD_NOT_ENDED',
        `period ${period.toString()} has not ended yet: a run may start from ${billingCalendar.formatInstant(billingCalendar.endOfPeriod(period))} (R7.2)`,
      );
    }
    if (this.feed) await this.awaitFeed(this.feed);
    const { run, created } = await this.deps.runs.start({
      id: newId('run'),
      period,
      trigger: command.trigger,
      startedAt: now,
      batchSize: this.deps.settings.batchSize,
    });
    if (run.status === 'running') {
      // a new run publishes its jobs; a start while it runs publishes only those not on the queue
      if (created) await publishJobs(this.deps, run.id, await this.deps.runs.openJobs(run.id, true));
      else await publishMissingJobs(this.deps, run.id);
    }
    return { run: (await this.deps.runs.find(run.id)) ?? run, created };
  }

  private async awaitFeed(feed: { feed: AccountFeed; waitMs: number; pollMs?: number }): Promise<void> {
    const deadline = Date.now() + feed.waitMs; // a technical timeout, not business time
    for (;;) {
      const backlog = await feed.feed.backlog();
      if (backlog === 0) return;
      if (Date.now() >= deadline) {
        throw new DomainError(
          'ACCOUNTS_NOT_CAUGHT_UP',
          `billing has not yet recorded every announced account (${backlog ?? 'unknown'} subscription.account.created message(s) pending): try the run again shortly`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, feed.pollMs ?? 200));
    }
  }
}
