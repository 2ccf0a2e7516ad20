import type { DateTime } from 'luxon';
import { billingCalendar, DomainError, isValidClientId, newId, Period } from '@cec/kernel';
import type { BillingRunJobMessage } from '@cec/contracts';
import type { BillingDeps, BillingRunView, RunTrigger } from './billing.ports';
import { BillAccountsResult, BillAccountsUseCase } from './bill-accounts.use-case';

/** Publishes jobs on the work queue, then records that they were published. */
async function publishJobs(deps: BillingDeps, runId: string, jobs: readonly BillingRunJobMessage[]): Promise<void> {
  if (jobs.length === 0) return;
  await deps.jobs.enqueue(jobs);
  await deps.runs.markPublished(
    runId,
    jobs.map((job) => job.batch),
    deps.clock.now(),
  );
}

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

/** GET /v1/billing-runs/:id */
export class GetBillingRunUseCase {
  constructor(private readonly deps: BillingDeps) {}

  async execute(runId: string): Promise<BillingRunView> {
    const run = await this.deps.runs.find(runId);
    if (!run) throw DomainError.notFound('BILLING_RUN_NOT_FOUND', `billing run "${runId}" does not exist`);
    return run;
  }
}

/** GET /v1/billing-runs?period= : newest first. */
export class ListBillingRunsUseCase {
  constructor(private readonly deps: BillingDeps) {}

  async execute(period: unknown): Promise<BillingRunView[]> {
    const parsed = period === undefined || period === '' ? null : Period.parse(period, 'period');
    return this.deps.runs.list(parsed);
  }
}

function parseJob(message: unknown): BillingRunJobMessage & { parsedPeriod: Period } {
  const value = (message ?? {}) as Partial<BillingRunJobMessage>;
  if (typeof value.runId !== 'string' || !Number.isInteger(value.batch) || !Array.isArray(value.accountIds)) {
    throw DomainError.validation('job must carry runId, batch and accountIds');
  }
  if (!value.accountIds.every((id) => isValidClientId(id))) throw DomainError.validation('job accountIds must be account ids');
  return { runId: value.runId, period: String(value.period), batch: value.batch as number, accountIds: value.accountIds, parsedPeriod: Period.parse(value.period, 'period') };
}

/**
 * One job of the work queue: bills its accounts (each exactly once), then marks the job finished
 * and completes the run after its last job. The consumer acks the message only after this returns,
 * so a job cut short by a crash is redelivered; what was committed is skipped the second time.
 */
export class ProcessBillingJobUseCase {
  private readonly billAccounts: BillAccountsUseCase;

  constructor(private readonly deps: BillingDeps) {
    this.billAccounts = new BillAccountsUseCase(deps);
  }

  async execute(message: unknown): Promise<{ processed: number; issued: number; skipped: number; failed: number } | null> {
    let job: ReturnType<typeof parseJob>;
    try {
      job = parseJob(message);
    } catch {
      return null; // not a job of ours: nothing to do, the message is dropped
    }
    const run = await this.deps.runs.find(job.runId);
    if (!run || run.status !== 'running' || run.period !== job.parsedPeriod.toString()) return null;
    let result: BillAccountsResult;
    try {
      result = await this.billAccounts.execute({ runId: job.runId, period: job.parsedPeriod, accountIds: job.accountIds });
    } catch (error) {
      // a deterministic refusal (e.g. a malformed answer of another app) fails the job instead of
      // redelivering it forever; the accounts stay unbilled for a repeated run (R7.2)
      if (!(error instanceof DomainError)) throw error;
      result = { processed: 0, issued: 0, skipped: 0, failures: [{ accountId: job.accountIds[0] ?? '-', code: error.code, message: error.message }] };
    }
    const error =
      result.failures.length === 0
        ? null
        : `${result.failures.length} account(s) not billed: ${result.failures
            .slice(0, 3)
            .map((failure) => `${failure.accountId}: ${failure.message}`)
            .join('; ')}`;
    await this.deps.runs.finishJob(job.runId, job.batch, error, this.deps.clock.now());
    return { processed: result.processed, issued: result.issued, skipped: result.skipped, failed: result.failures.length };
  }
}

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
