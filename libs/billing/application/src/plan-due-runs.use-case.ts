import { billingCalendar, Period } from '@cec/kernel';
import type { AccountFeed, BillingDeps, BillingRunView, CatchUpMark } from './billing.ports';
import { StartBillingRunUseCase } from './start-billing-run.use-case';

/** How many ended months the scheduler looks back, the month that ended last included (R7.3). */
export const CATCH_UP_MONTHS = 12;

/** Accounts awaiting the catch-up asked about in one metering request. */
export const CATCH_UP_CHUNK = 2000;
/** Requests per tick: a tick looks at up to 50,000 such accounts; the rest wait for the next tick. */
export const CATCH_UP_CHUNKS_PER_TICK = 25;

export interface PlanDueRunsOutcome {
  /** Runs created by this tick, oldest month first. */
  readonly started: BillingRunView[];
  /** Why nothing was planned although something was due (e.g. accounts still arriving), or null. */
  readonly deferred: string | null;
}

/**
 * The scheduler's tick (R7.1, R7.3, #9.4, #9.5): the catch-up itself, never a guess of "last month".
 *
 * What is due is read from the database and the injected clock (months in the UTC+8 calendar):
 * 1. every ended month of the last {@link CATCH_UP_MONTHS} (and not before the month of the first
 *    known account) that has no run at all: a run plans every account of the mirror;
 * 2. every ended month of the same look-back in which an account awaiting the catch-up (recorded
 *    late, or whose usage reached a month no run processed for it) has usage and no processed
 *    marker: a new run of that month plans the accounts not processed for it that no earlier run of
 *    the month planned (the late ones; a cancelled run's leftovers and failed accounts stay with
 *    the operator and retry-failures, #10 review; R7.2 keeps the others untouched). Metering is asked for those accounts' earliest month with timeline writes, in
 *    requests of {@link CATCH_UP_CHUNK} accounts; an account without usage needs no month.
 *
 * A tick starts only once billing's account consumer has caught up (bounded wait: what is due is
 * read from the account mirror); otherwise it is deferred to the next tick, and nothing is lost:
 * the marks stay until the months are planned.
 * A month whose run ended (completed, failed or cancelled) is never repeated for the accounts that
 * run planned (the repository leaves them out of a scheduler run): repeating it is an operator's
 * decision. A tick with nothing due costs a consumer-info
 * request and three small queries.
 */
export class PlanDueRunsUseCase {
  private readonly start: StartBillingRunUseCase;

  constructor(
    private readonly deps: BillingDeps,
    private readonly feed: AccountFeed,
    private readonly options: { feedWaitMs: number; feedPollMs?: number } = { feedWaitMs: 10_000 },
  ) {
    this.start = new StartBillingRunUseCase(deps);
  }

  async execute(): Promise<PlanDueRunsOutcome> {
    // what is due is read from billing's account mirror: only once every announced account is in it
    const backlog = await this.waitForFeed();
    if (backlog !== 0) {
      return { started: [], deferred: `account.created messages not yet recorded: ${backlog ?? 'unknown'}` };
    }
    const now = this.deps.clock.now();
    const last = billingCalendar.lastEndedPeriod(now);
    let floor = last;
    for (let index = 1; index < CATCH_UP_MONTHS; index += 1) floor = floor.previous();

    const due = new Map<string, Period>();
    // 1. months without any run
    const earliest = await this.deps.accounts.earliestCreatedAt();
    if (earliest) {
      const first = maxPeriod(billingCalendar.periodOf(earliest), floor);
      const withRuns = first.compare(last) <= 0 ? await this.deps.runs.periodsWithRuns(first, last) : new Set<string>();
      for (let period = first; period.compare(last) <= 0; period = period.next()) {
        if (!withRuns.has(period.toString())) due.set(period.toString(), period);
      }
    }

    // 2. accounts awaiting the catch-up: the months with usage they were never processed for
    const needs = new Map<string, string[]>();
    const marks = new Map<string, CatchUpMark>();
    let after: string | null = null;
    for (let chunk = 0; chunk < CATCH_UP_CHUNKS_PER_TICK; chunk += 1) {
      const waiting = await this.deps.accounts.awaitingCatchUp(after, CATCH_UP_CHUNK);
      if (waiting.length === 0) break;
      after = waiting[waiting.length - 1].accountId;
      for (const entry of waiting) {
        needs.set(entry.accountId, []);
        marks.set(entry.accountId, entry);
      }
      const reply = await this.deps.usage.revisions({ accounts: waiting.map((entry) => ({ accountId: entry.accountId, afterRevision: '0' })) });
      const from = new Map<string, Period>();
      for (const entry of reply.revisions ?? []) {
        if (!needs.has(entry.accountId)) continue;
        const start = maxPeriod(Period.parse(entry.earliestPeriod, 'earliestPeriod'), floor);
        if (start.compare(last) <= 0) from.set(entry.accountId, start);
      }
      const processed = from.size > 0 ? await this.deps.ledger.processedPeriods(from, last.next()) : new Map<string, Period[]>();
      for (const [accountId, start] of from) {
        const done = new Set((processed.get(accountId) ?? []).map((period) => period.toString()));
        for (let period = start; period.compare(last) <= 0; period = period.next()) {
          if (done.has(period.toString())) continue;
          due.set(period.toString(), period);
          needs.get(accountId)?.push(period.toString());
        }
      }
      if (waiting.length < CATCH_UP_CHUNK) break;
    }
    const markOf = (accountId: string): CatchUpMark => marks.get(accountId) as CatchUpMark;
    const settled = [...needs].filter(([, periods]) => periods.length === 0).map(([accountId]) => markOf(accountId));
    if (due.size === 0) {
      await this.deps.accounts.clearCatchUp(settled);
      return { started: [], deferred: null };
    }

    const started: BillingRunView[] = [];
    const planned = new Set<string>();
    for (const period of [...due.values()].sort((a, b) => a.compare(b))) {
      const outcome = await this.start.execute({ period: period.toString(), trigger: 'schedule' });
      // a run that was already running planned before these accounts were read: not theirs
      if (outcome.created) {
        planned.add(period.toString());
        started.push(outcome.run);
      }
    }
    const caughtUp = [...needs].filter(([, periods]) => periods.every((period) => planned.has(period))).map(([accountId]) => markOf(accountId));
    await this.deps.accounts.clearCatchUp(caughtUp);
    return { started, deferred: null };
  }

  /** Polls the feed until it is empty or the bound is reached; the last backlog read. */
  private async waitForFeed(): Promise<number | null> {
    const poll = this.options.feedPollMs ?? 200;
    const deadline = Date.now() + this.options.feedWaitMs; // a technical timeout, not business time
    for (;;) {
      const backlog = await this.feed.backlog();
      if (backlog === 0 || Date.now() >= deadline) return backlog;
      await new Promise((resolve) => setTimeout(resolve, poll));
    }
  }
}

function maxPeriod(a: Period, b: Period): Period {
  return a.compare(b) >= 0 ? a : b;
}
