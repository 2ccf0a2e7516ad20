import { DateTime } from 'luxon';
import { DomainError, FakeClock, Money, Period } from '@cec/kernel';
import type { AccountFeed, BillingDeps, BillingRunView, StartRunInput } from './billing.ports';
import { CATCH_UP_MONTHS, PlanDueRunsUseCase } from './plan-due-runs.use-case';
import { StartBillingRunUseCase } from './start-billing-run.use-case';

/**
 * The scheduler's tick against an in-memory billing: accounts (with their catch-up marks and
 * processed months), runs (a new run processes every account without a marker for its month),
 * metering's earliest month of usage per account, and a feed of account messages not yet recorded.
 */
class World {
  readonly clock = new FakeClock();
  readonly accounts = new Map<string, { createdAt: string; catchUp: boolean; mark: number }>();
  readonly processed = new Set<string>(); // `${accountId}|${period}`
  readonly runs: BillingRunView[] = [];
  readonly usageFrom = new Map<string, string>(); // accountId -> earliest period with usage
  backlog: number | null = 0;
  readonly feed: AccountFeed = { backlog: async () => this.backlog };

  addAccount(id: string, createdAt: string): void {
    this.accounts.set(id, { createdAt, catchUp: true, mark: 0 });
  }

  mark(id: string): void {
    const account = this.accounts.get(id);
    if (account) {
      account.catchUp = true;
      account.mark += 1;
    }
  }

  runsOf(period: string): BillingRunView[] {
    return this.runs.filter((run) => run.period === period);
  }

  deps(): BillingDeps {
    const unused = (): never => {
      throw new Error('not used by the tick');
    };
    const start = async (input: StartRunInput): Promise<{ run: BillingRunView; created: boolean }> => {
      const period = input.period.toString();
      const todo = [...this.accounts.keys()].filter((id) => !this.processed.has(`${id}|${period}`));
      for (const id of todo) this.processed.add(`${id}|${period}`); // the run's jobs, done at once
      const run: BillingRunView = {
        id: input.id,
        period,
        attempt: this.runsOf(period).length + 1,
        status: 'completed',
        accountsFailed: 0,
        trigger: input.trigger,
        accountsTotal: todo.length,
        accountsProcessed: todo.length,
        accountsBilled: todo.length,
        billsIssued: todo.length,
        total: Money.zero(),
        jobsTotal: 0,
        jobsDone: 0,
        jobsFailed: 0,
        error: null,
        startedAt: input.startedAt,
        finishedAt: input.startedAt,
      };
      this.runs.push(run);
      return { run, created: true };
    };
    return {
      accounts: {
        recordAccounts: unused,
        snapshot: unused,
        ledger: unused,
        earliestCreatedAt: async () => {
          const all = [...this.accounts.values()].map((account) => account.createdAt).sort();
          return all.length > 0 ? DateTime.fromISO(all[0], { setZone: true }) : null;
        },
        awaitingCatchUp: async (afterId, limit) =>
          [...this.accounts]
            .filter(([id, account]) => account.catchUp && (afterId === null || id > afterId))
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .slice(0, limit)
            .map(([accountId, account]) => ({ accountId, mark: account.mark })),
        markForCatchUp: async (ids) => ids.forEach((id) => this.mark(id)),
        clearCatchUp: async (marks) =>
          marks.forEach(({ accountId, mark }) => {
            const account = this.accounts.get(accountId);
            if (account && account.mark === mark) account.catchUp = false;
          }),
      },
      discounts: { insert: unused, listForAccount: unused, listForAccounts: unused },
      runs: {
        start,
        find: async (id) => this.runs.find((run) => run.id === id) ?? null,
        list: unused,
        runningRuns: unused,
        hasCompletedRun: unused,
        periodsWithRuns: async (from, to) =>
          new Set(this.runs.map((run) => run.period).filter((period) => period >= from.toString() && period <= to.toString())),
        openJobs: async () => [],
        queuedJobs: async () => [],
        isJobQueued: unused,
        markPublished: unused,
        finishJob: unused,
        cancel: unused,
        retryFailures: unused,
        failures: unused,
      },
      ledger: {
        loadStates: unused,
        processedPeriods: async (accounts, except) => {
          const result = new Map<string, Period[]>();
          for (const key of this.processed) {
            const [id, period] = key.split('|');
            const from = accounts.get(id);
            if (!from || period === except.toString() || period < from.toString()) continue;
            result.set(id, [...(result.get(id) ?? []), Period.parse(period)]);
          }
          return result;
        },
        billedAmounts: unused,
        issue: unused,
        issueBatch: unused,
      },
      bills: { find: unused, list: unused },
      topUps: { apply: unused },
      usage: {
        monthlyUsage: unused,
        revisions: async (request) => ({
          revisions: request.accounts
            .filter((entry) => this.usageFrom.has(entry.accountId))
            .map((entry) => ({ accountId: entry.accountId, earliestPeriod: this.usageFrom.get(entry.accountId) as string })),
        }),
      },
      catalog: { resolvePrices: unused, productExists: unused },
      jobs: { enqueue: async () => undefined, stillQueued: async () => new Set<number>() },
      events: { poke: () => undefined },
      clock: this.clock,
      settings: { batchSize: 10, accountConcurrency: 1 },
    };
  }

  tick(): Promise<{ started: BillingRunView[]; deferred: string | null }> {
    return new PlanDueRunsUseCase(this.deps(), this.feed, { feedWaitMs: 0 }).execute();
  }
}

const periods = (runs: readonly BillingRunView[]): string[] => runs.map((run) => run.period);

describe('the scheduler tick (R7.1, R7.3, #9.4, #9.5)', () => {
  it('#9.5 a tick at 23:59:59 on the last day runs nothing new and does not rerun the month before; the next tick after 00:00 runs the month that just ended', async () => {
    const world = new World();
    world.addAccount('acc-1', '2026-05-10T10:00:00+08:00');
    world.usageFrom.set('acc-1', '2026-05');
    world.clock.set('2026-06-01T00:00:00+08:00');
    expect(periods((await world.tick()).started)).toEqual(['2026-05']);

    world.clock.set('2026-06-30T23:59:59+08:00'); // June has not ended in UTC+8 (15:59:59Z)
    expect((await world.tick()).started).toEqual([]);
    expect(world.runsOf('2026-05')).toHaveLength(1);
    expect(world.runsOf('2026-06')).toHaveLength(0);

    world.clock.set('2026-06-30T16:00:00Z'); // 00:00:00 on July 1st in UTC+8
    expect(periods((await world.tick()).started)).toEqual(['2026-06']);
    world.clock.set('2026-07-01T00:05:00+08:00');
    expect((await world.tick()).started).toEqual([]);
  });

  it('#9.5 a tick that was missed for months runs every ended month without a run, oldest first, within the look-back', async () => {
    const world = new World();
    world.addAccount('acc-1', '2024-01-01T00:00:00+08:00');
    world.clock.set('2026-06-15T12:00:00+08:00');
    const started = periods((await world.tick()).started);
    expect(started).toHaveLength(CATCH_UP_MONTHS);
    expect(started[0]).toBe('2025-06');
    expect(started[started.length - 1]).toBe('2026-05');
  });

  it('#9.4 an account recorded after its month was run is planned for every ended month it has usage in, once', async () => {
    const world = new World();
    world.addAccount('early', '2026-01-01T00:00:00+08:00');
    world.clock.set('2026-05-01T00:00:00+08:00');
    await world.tick(); // January..April run for `early`
    expect(world.runs).toHaveLength(4);

    // created on May 3rd with usage from March on (a subscription enabled in the past)
    world.addAccount('late', '2026-05-03T09:00:00+08:00');
    world.usageFrom.set('late', '2026-03');
    world.clock.set('2026-05-03T09:05:00+08:00');
    const { started } = await world.tick();
    expect(periods(started)).toEqual(['2026-03', '2026-04']);
    expect(started.every((run) => run.accountsTotal === 1 && run.trigger === 'schedule')).toBe(true);
    expect(world.processed.has('late|2026-03') && world.processed.has('late|2026-04')).toBe(true);
    expect(world.processed.has('late|2026-02')).toBe(false); // no usage before March: no month to run
    expect(world.accounts.get('late')?.catchUp).toBe(false);
    expect((await world.tick()).started).toEqual([]);
  });

  it('#9.4 a tick plans nothing while account.created messages are still pending, and keeps the late accounts marked', async () => {
    const world = new World();
    world.addAccount('early', '2026-04-01T00:00:00+08:00');
    world.clock.set('2026-05-01T00:00:00+08:00');
    await world.tick();
    world.addAccount('late', '2026-05-02T00:00:00+08:00');
    world.usageFrom.set('late', '2026-04');
    world.backlog = 3;
    const deferred = await world.tick();
    expect(deferred.started).toEqual([]);
    expect(deferred.deferred).toMatch(/not yet recorded: 3/);
    expect(world.accounts.get('late')?.catchUp).toBe(true);
    world.backlog = null; // the consumer cannot be read: not known to be caught up either
    expect((await world.tick()).started).toEqual([]);
    world.backlog = 0;
    expect(periods((await world.tick()).started)).toEqual(['2026-04']);
    expect(world.accounts.get('late')?.catchUp).toBe(false);
  });

  it('#9.4 an account marked again while a tick works on it stays marked for the next tick', async () => {
    const world = new World();
    world.addAccount('acc-1', '2026-04-01T00:00:00+08:00');
    world.usageFrom.set('acc-1', '2026-04');
    world.clock.set('2026-05-01T00:00:00+08:00');
    const deps = world.deps();
    // a run marks the account (late usage seen) while the tick is asking metering
    const revisions = deps.usage.revisions;
    deps.usage.revisions = async (request) => {
      world.mark('acc-1');
      return revisions(request);
    };
    await new PlanDueRunsUseCase(deps, world.feed, { feedWaitMs: 0 }).execute();
    expect(world.accounts.get('acc-1')?.catchUp).toBe(true);
    await world.tick();
    expect(world.accounts.get('acc-1')?.catchUp).toBe(false);
  });

  it('#9.4 an account without usage in an ended month needs no run and leaves the catch-up at once', async () => {
    const world = new World();
    world.addAccount('quiet', '2026-04-10T00:00:00+08:00');
    world.clock.set('2026-04-20T00:00:00+08:00');
    expect((await world.tick()).started).toEqual([]);
    expect(world.accounts.get('quiet')?.catchUp).toBe(false);
  });

  it('#9.4 an operator run refuses with ACCOUNTS_NOT_CAUGHT_UP while account.created messages are pending, changing nothing', async () => {
    const world = new World();
    world.addAccount('acc-1', '2026-04-01T00:00:00+08:00');
    world.clock.set('2026-05-02T00:00:00+08:00');
    world.backlog = 2;
    const start = new StartBillingRunUseCase(world.deps(), { feed: world.feed, waitMs: 0 });
    const refused = await start.execute({ period: '2026-04', trigger: 'operator' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'ACCOUNTS_NOT_CAUGHT_UP', kind: 'unavailable' });
    expect(world.runs).toHaveLength(0);
    world.backlog = 0;
    expect((await start.execute({ period: '2026-04', trigger: 'operator' })).run).toMatchObject({ period: '2026-04', accountsTotal: 1 });
  });
});
