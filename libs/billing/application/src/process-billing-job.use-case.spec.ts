import { FakeClock, Money, RemoteCallError } from '@cec/kernel';
import type { AccountFailure, BillingDeps, BillingRunView } from './billing.ports';
import { retryDelayMs } from './job-failures';
import { ProcessBillingJobUseCase } from './process-billing-job.use-case';

interface Finished {
  batch: number;
  failures: readonly AccountFailure[];
  attempts: number;
}

function harness(status: BillingRunView['status'], usage: () => never): { deps: BillingDeps; finished: Finished[] } {
  const finished: Finished[] = [];
  const unused = (): never => {
    throw new Error('not used here');
  };
  const clock = new FakeClock('2026-04-01T00:00:00Z');
  const run: BillingRunView = {
    id: 'run_1',
    period: '2026-03',
    attempt: 1,
    status,
    trigger: 'operator',
    accountsTotal: 2,
    accountsProcessed: 0,
    accountsBilled: 0,
    billsIssued: 0,
    total: Money.ofCents('0'),
    jobsTotal: 1,
    jobsDone: 0,
    jobsFailed: 0,
    accountsFailed: 0,
    error: null,
    startedAt: clock.now(),
    finishedAt: null,
  };
  const deps: BillingDeps = {
    accounts: { recordAccounts: unused, snapshot: unused, ledger: unused, earliestCreatedAt: unused, awaitingCatchUp: unused, markForCatchUp: unused, clearCatchUp: unused },
    discounts: { insert: unused, listForAccount: unused, listForAccounts: async () => [] },
    runs: {
      start: unused,
      find: async () => run,
      list: unused,
      runningRuns: unused,
      hasCompletedRun: unused,
      periodsWithRuns: unused,
      openJobs: unused,
      queuedJobs: unused,
      isJobQueued: async () => true,
      markPublished: unused,
      finishJob: async (_runId, batch, failures, attempts) => {
        finished.push({ batch, failures, attempts });
      },
      cancel: unused,
      retryFailures: unused,
      failures: unused,
    },
    bills: { find: unused, list: unused },
    topUps: { apply: unused },
    ledger: {
      loadStates: async (ids) => ids.map((accountId) => ({ accountId, currency: 'USD', usageRevision: null, billSeq: 0, processed: false })),
      processedPeriods: unused,
      billedAmounts: unused,
      issue: unused,
      issueBatch: unused,
    },
    usage: { monthlyUsage: async () => usage(), revisions: unused },
    catalog: { resolvePrices: unused, productExists: unused },
    jobs: { enqueue: unused, stillQueued: unused },
    events: { poke: () => undefined },
    clock,
    settings: { batchSize: 100, accountConcurrency: 3 },
  };
  return { deps, finished };
}

const job = { runId: 'run_1', period: '2026-03', batch: 4, accountIds: ['a1', 'a2'] };
const down = (): never => {
  throw new RemoteCallError(503, 'SERVICE_UNAVAILABLE', 'metering is restarting', true);
};

describe('ProcessBillingJobUseCase: bounded redelivery and a terminal state (#9.1)', () => {
  it('#9.1 a retryable failure before the last delivery asks for a redelivery and records nothing', async () => {
    const h = harness('running', down);
    const outcome = await new ProcessBillingJobUseCase(h.deps).execute(job, { attempt: 2, finalAttempt: false });
    expect(outcome).toEqual({ kind: 'retry', failure: { statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: 'metering is restarting', retryable: true } });
    expect(h.finished).toEqual([]);
  });

  it('#9.1 on the last delivery the job finishes: its unbilled accounts are recorded as failed with the code, message and attempts', async () => {
    const h = harness('running', down);
    const outcome = await new ProcessBillingJobUseCase(h.deps).execute(job, { attempt: 8, finalAttempt: true });
    expect(outcome).toEqual({ kind: 'finished', processed: 0, issued: 0, skipped: 0, failed: 2 });
    expect(h.finished).toEqual([
      {
        batch: 4,
        attempts: 8,
        failures: [
          { accountId: 'a1', code: 'SERVICE_UNAVAILABLE', message: 'metering is restarting' },
          { accountId: 'a2', code: 'SERVICE_UNAVAILABLE', message: 'metering is restarting' },
        ],
      },
    ]);
  });

  it('#9.1 cancel: a job of a run that is no longer running is acknowledged without billing', async () => {
    const h = harness('cancelled', down);
    expect(await new ProcessBillingJobUseCase(h.deps).execute(job)).toEqual({ kind: 'ignored', reason: 'run run_1 is cancelled' });
    expect(h.finished).toEqual([]);
  });

  it('retry delays grow along the list and stay at its last entry', () => {
    expect([1, 2, 3, 9].map((attempt) => retryDelayMs([2000, 5000, 10_000], attempt))).toEqual([2000, 5000, 10_000, 10_000]);
  });
});
