import { FakeClock, Money, Period, RemoteCallError } from '@cec/kernel';
import type { BilledForPeriod } from '@cec/billing-domain';
import { type MonthlyUsageReply, type ResolvePricesRequest, type UsageRevisionsRequest, toUsageRuns } from '@cec/contracts';
import { BillAccountsUseCase } from './bill-accounts.use-case';
import type { AccountBillingState, BatchIssueOutcome, BillingDeps, IssueBillInput, IssueBillOutcome } from './billing.ports';
import { StaleAccountError } from './billing.ports';

function month(period: string, days: number, quantity: number, code: string): Array<{ date: string; quantity: number; productCodes: string[] }> {
  return Array.from({ length: days }, (_, index) => ({ date: `${period}-${String(index + 1).padStart(2, '0')}`, quantity, productCodes: [code] }));
}

interface Harness {
  deps: BillingDeps;
  usageCalls: Array<{ period: string; accountIds: string[] }>;
  revisionCalls: UsageRevisionsRequest[];
  priceCalls: ResolvePricesRequest[];
  issued: IssueBillInput[];
  /** The accounts of each issueBatch call, in order. */
  batches: string[][];
}

function harness(options: {
  states: AccountBillingState[];
  usage: Record<string, MonthlyUsageReply>;
  revisions?: Array<{ accountId: string; earliestPeriod: string }>;
  processed?: Map<string, Period[]>;
  billed?: Map<string, Map<string, Map<string, BilledForPeriod>>>;
  issue?: (input: IssueBillInput) => IssueBillOutcome;
  /** Answers (or refuses) a usage request instead of `usage`. */
  monthlyUsage?: (period: string, accountIds: readonly string[]) => MonthlyUsageReply;
  /** An account's outcome in a batch write instead of `issue` (e.g. `set_aside`). */
  batchOutcome?: (input: IssueBillInput) => BatchIssueOutcome | undefined;
  /** Accounts per batch write. */
  writeBatchSize?: number;
  /** Called when a batch write starts; the write ends when the returned promise does. */
  onBatch?: (accountIds: string[]) => Promise<void>;
}): Harness {
  const h: Harness = { usageCalls: [], revisionCalls: [], priceCalls: [], issued: [], batches: [], deps: undefined as unknown as BillingDeps };
  const unused = (): never => {
    throw new Error('not used here');
  };
  h.deps = {
    accounts: { recordAccounts: unused, snapshot: unused, ledger: unused, earliestCreatedAt: unused, awaitingCatchUp: unused, markForCatchUp: unused, clearCatchUp: unused },
    discounts: { insert: unused, listForAccount: unused, listForAccounts: async () => [] },
    runs: { start: unused, find: unused, list: unused, runningRuns: unused, hasCompletedRun: unused, periodsWithRuns: unused, openJobs: unused, queuedJobs: unused, isJobQueued: unused, markPublished: unused, finishJob: unused, cancel: unused, retryFailures: unused, failures: unused },
    bills: { find: unused, list: unused },
    topUps: { apply: unused },
    ledger: {
      loadStates: async (ids) => options.states.filter((state) => ids.includes(state.accountId)),
      processedPeriods: async (accounts) => new Map([...(options.processed ?? new Map<string, Period[]>())].filter(([id]) => accounts.has(id))),
      billedAmounts: async () => options.billed ?? new Map(),
      issue: async (input) => {
        h.issued.push(input);
        return options.issue ? options.issue(input) : input.draft.billable ? 'issued' : 'nothing_to_bill';
      },
      // the batch as the ledger does it, account by account: a stale account is left out
      issueBatch: async (inputs) => {
        const outcomes = new Map<string, BatchIssueOutcome>();
        const written: IssueBillInput[] = [];
        h.batches.push(inputs.map((input) => input.accountId));
        await options.onBatch?.(inputs.map((input) => input.accountId));
        for (const input of inputs) {
          const given = options.batchOutcome?.(input);
          if (given !== undefined) {
            outcomes.set(input.accountId, given);
            continue;
          }
          try {
            outcomes.set(input.accountId, options.issue ? options.issue(input) : input.draft.billable ? 'issued' : 'nothing_to_bill');
            written.push(input);
          } catch (error) {
            // one transaction: any other failure writes nothing of the batch
            if (!(error instanceof StaleAccountError)) throw error;
            outcomes.set(input.accountId, 'stale');
          }
        }
        h.issued.push(...written);
        return outcomes;
      },
    },
    usage: {
      monthlyUsage: async (period, accountIds) => {
        h.usageCalls.push({ period: period.toString(), accountIds: [...accountIds] });
        return options.monthlyUsage ? options.monthlyUsage(period.toString(), accountIds) : options.usage[period.toString()];
      },
      revisions: async (request) => {
        h.revisionCalls.push(request);
        return { revisions: options.revisions ?? [] };
      },
    },
    catalog: {
      resolvePrices: async (request) => {
        h.priceCalls.push(request);
        return { prices: { basic: [{ unitPrice: '31.00', currency: 'USD', effectiveFrom: '2020-01-01' }] } };
      },
      productExists: unused,
    },
    jobs: { enqueue: unused, stillQueued: unused },
    events: { poke: () => undefined },
    clock: new FakeClock('2026-04-01T00:00:00Z'),
    settings: { batchSize: 100, accountConcurrency: 3, writeBatchSize: options.writeBatchSize },
  };
  return h;
}

const state = (accountId: string, usageRevision: string | null = null, processed = false): AccountBillingState => ({ accountId, currency: 'USD', usageRevision, billSeq: 0, processed });

describe('BillAccountsUseCase (R4, R6.2, R7.2)', () => {
  it('asks metering and catalog once for the whole batch, never once per account, and skips accounts already processed', async () => {
    const ids = ['a1', 'a2', 'a3', 'a4'];
    const h = harness({
      states: [...ids.map((id) => state(id)), state('done', null, true)],
      usage: { '2026-03': { period: '2026-03', asOfRevision: '7', subscriptions: ids.map((id) => ({ subscriptionId: `${id}-s`, accountId: id, runs: toUsageRuns(month('2026-03', 31, 1, 'basic')) })) } },
    });
    const result = await new BillAccountsUseCase(h.deps).execute({ runId: 'run_1', period: Period.parse('2026-03'), accountIds: [...ids, 'done'] });
    expect(result).toMatchObject({ processed: 4, issued: 4, skipped: 1, failures: [] });
    expect(h.usageCalls).toEqual([{ period: '2026-03', accountIds: ids }]);
    expect(h.priceCalls).toEqual([{ productCodes: ['basic'], from: '2026-03-01', to: '2026-03-31' }]);
    expect(h.revisionCalls).toEqual([]); // nobody was billed before
    expect(h.issued.map((input) => [input.accountId, input.draft.total.toString(), input.usageRevision])).toEqual(ids.map((id) => [id, '31.00', '7']));
  });

  it('R6.2 re-rates the months written after the revision billed, with one request per month, and keeps the lowest revision', async () => {
    const billedJanuary = new Map([['2026-01', new Map([['a1-s', { productCode: 'basic', quantityDays: 31, listAmount: Money.parse('31.00'), discountAmount: Money.zero(), amount: Money.parse('31.00') }]])]]);
    const h = harness({
      states: [state('a1', '5'), state('a2', '5')],
      usage: {
        '2026-02': { period: '2026-02', asOfRevision: '9', subscriptions: [] },
        '2026-01': { period: '2026-01', asOfRevision: '8', subscriptions: [{ subscriptionId: 'a1-s', accountId: 'a1', runs: toUsageRuns(month('2026-01', 31, 2, 'basic')) }] },
      },
      revisions: [{ accountId: 'a1', earliestPeriod: '2026-01' }],
      processed: new Map([['a1', [Period.parse('2026-01')]]]),
      billed: new Map([['a1', billedJanuary]]),
    });
    await new BillAccountsUseCase(h.deps).execute({ runId: 'run_1', period: Period.parse('2026-02'), accountIds: ['a1', 'a2'] });
    expect(h.revisionCalls).toEqual([{ accounts: [{ accountId: 'a1', afterRevision: '5' }, { accountId: 'a2', afterRevision: '5' }] }]);
    expect(h.usageCalls).toEqual([
      { period: '2026-02', accountIds: ['a1', 'a2'] },
      { period: '2026-01', accountIds: ['a1'] },
    ]);
    const a1 = h.issued.find((input) => input.accountId === 'a1') as IssueBillInput;
    expect(a1.draft.lines.map((line) => [line.kind, line.forPeriod.toString(), line.amount.toString()])).toEqual([['adjustment', '2026-01', '31.00']]);
    expect(a1.usageRevision).toBe('8');
    expect((h.issued.find((input) => input.accountId === 'a2') as IssueBillInput).usageRevision).toBe('9');
  });

  it('an account that cannot be rated (no price) fails alone; one billed concurrently makes the job retry', async () => {
    const h = harness({
      states: [state('a1'), state('a2'), state('a3')],
      usage: {
        '2026-03': {
          period: '2026-03',
          asOfRevision: '3',
          subscriptions: [
            { subscriptionId: 'a1-s', accountId: 'a1', runs: toUsageRuns(month('2026-03', 31, 1, 'basic')) },
            { subscriptionId: 'a2-s', accountId: 'a2', runs: toUsageRuns(month('2026-03', 31, 1, 'unpriced')) },
          ],
        },
      },
    });
    const result = await new BillAccountsUseCase(h.deps).execute({ runId: 'run_1', period: Period.parse('2026-03'), accountIds: ['a1', 'a2', 'a3'] });
    expect(result.failures).toEqual([{ accountId: 'a2', code: 'PRICE_NOT_FOUND', message: expect.stringMatching(/unpriced/) }]);
    expect(result).toMatchObject({ processed: 2, issued: 1 });
    const stale = harness({
      states: [state('a1')],
      usage: { '2026-03': { period: '2026-03', asOfRevision: '3', subscriptions: [] } },
      issue: (input) => {
        throw new StaleAccountError(input.accountId);
      },
    });
    await expect(new BillAccountsUseCase(stale.deps).execute({ runId: 'run_1', period: Period.parse('2026-03'), accountIds: ['a1'] })).rejects.toBeInstanceOf(StaleAccountError);
  });

  describe('#9.1 permanent and retryable failures', () => {
    const usageOf = (ids: readonly string[]): MonthlyUsageReply => ({
      period: '2026-03',
      asOfRevision: '9',
      subscriptions: ids.map((id) => ({ subscriptionId: `${id}-s`, accountId: id, runs: toUsageRuns(month('2026-03', 31, 1, 'basic')) })),
    });

    it('#9.1 a permanent refusal of a batch request fails only the account that causes it (the batch is halved), the others are billed', async () => {
      const ids = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'];
      const h = harness({
        states: ids.map((id) => state(id)),
        usage: {},
        monthlyUsage: (_period, accountIds) => {
          if (accountIds.includes('a5')) throw new RemoteCallError(400, 'VALIDATION_FAILED', 'a5 cannot be answered', false);
          return usageOf(accountIds);
        },
      });
      const result = await new BillAccountsUseCase(h.deps).execute({ runId: 'run_1', period: Period.parse('2026-03'), accountIds: ids });
      expect(result.failures).toEqual([{ accountId: 'a5', code: 'VALIDATION_FAILED', message: 'a5 cannot be answered' }]);
      expect(h.issued.map((input) => input.accountId).sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'a6', 'a7']);
      expect(result).toMatchObject({ processed: 6, issued: 6 });
      // halving: 7 -> 4 + 3 -> (2 + 2) + (a5 a6 -> a5, a6) + a7: a handful of requests, not one per account
      expect(h.usageCalls.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(ids.length)) + 2);
    });

    it('#9.1 a retryable failure (metering unavailable) is thrown for a redelivery: nothing is failed permanently', async () => {
      const h = harness({
        states: [state('a1'), state('a2')],
        usage: {},
        monthlyUsage: () => {
          throw new RemoteCallError(503, 'SERVICE_UNAVAILABLE', 'metering is restarting', true);
        },
      });
      await expect(new BillAccountsUseCase(h.deps).execute({ runId: 'run_1', period: Period.parse('2026-03'), accountIds: ['a1', 'a2'] })).rejects.toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        retryable: true,
      });
      expect(h.usageCalls).toHaveLength(1);
      expect(h.issued).toEqual([]);
    });

    it('#9.1 #11 a database refusal of one account (numeric overflow) fails that account alone (the batch is retried account by account); a transient one is retried', async () => {
      const ids = ['a1', 'a2', 'a3'];
      const overflow = Object.assign(new Error('numeric field overflow'), { code: '22003', severity: 'ERROR' });
      const h = harness({
        states: ids.map((id) => state(id)),
        usage: { '2026-03': usageOf(ids) },
        issue: (input) => {
          if (input.accountId === 'a2') throw overflow;
          return 'issued';
        },
      });
      const result = await new BillAccountsUseCase(h.deps).execute({ runId: 'run_1', period: Period.parse('2026-03'), accountIds: ids });
      expect(result.failures).toEqual([{ accountId: 'a2', code: 'NUMERIC_OVERFLOW', message: expect.stringMatching(/22003/) }]);
      expect(result.issued).toBe(2);

      const down = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01', severity: 'FATAL' });
      const transient = harness({
        states: ids.map((id) => state(id)),
        usage: { '2026-03': usageOf(ids) },
        issue: (input) => {
          if (input.accountId === 'a2') throw down;
          return 'issued';
        },
      });
      await expect(new BillAccountsUseCase(transient.deps).execute({ runId: 'run_1', period: Period.parse('2026-03'), accountIds: ids })).rejects.toBe(down);
      // #11: the batch is one transaction: a transient failure commits none of it (the redelivery bills it)
      expect(transient.issued).toEqual([]);
    });
  });
  describe('#11 batch writes', () => {
    const usageOf = (ids: readonly string[]): MonthlyUsageReply => ({
      period: '2026-03',
      asOfRevision: '9',
      subscriptions: ids.map((id) => ({ subscriptionId: `${id}-s`, accountId: id, runs: toUsageRuns(month('2026-03', 31, 1, 'basic')) })),
    });

    it('#11 writes a job in chunks, one batch write per chunk, and fetches the next chunk while one is written', async () => {
      const ids = ['a1', 'a2', 'a3', 'a4', 'a5'];
      const log: string[] = [];
      const h = harness({
        states: ids.map((id) => state(id)),
        usage: {},
        writeBatchSize: 2,
        monthlyUsage: (_period, accountIds) => {
          log.push(`fetch ${accountIds.join(',')}`);
          return usageOf(accountIds);
        },
        onBatch: async (accountIds) => {
          log.push(`write ${accountIds.join(',')}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
          log.push(`written ${accountIds.join(',')}`);
        },
      });
      const result = await new BillAccountsUseCase(h.deps).execute({ runId: 'run_1', period: Period.parse('2026-03'), accountIds: ids });
      expect(result).toMatchObject({ processed: 5, issued: 5, skipped: 0, failures: [] });
      expect(h.batches).toEqual([['a1', 'a2'], ['a3', 'a4'], ['a5']]);
      // the next chunk's usage is fetched while the previous chunk is being written
      expect(log.indexOf('fetch a3,a4')).toBeLessThan(log.indexOf('written a1,a2'));
      expect(log.indexOf('fetch a5')).toBeLessThan(log.indexOf('written a3,a4'));
    });

    it('#11 an account stale in the batch (billed meanwhile) is drafted again and issued alone; the others are written by the batch', async () => {
      const ids = ['a1', 'a2', 'a3'];
      let staleOnce = true;
      const h = harness({
        states: ids.map((id) => state(id)),
        usage: {},
        monthlyUsage: (_period, accountIds) => usageOf(accountIds),
        issue: (input) => {
          if (input.accountId === 'a2' && staleOnce) {
            staleOnce = false;
            throw new StaleAccountError('a2');
          }
          return 'issued';
        },
      });
      const result = await new BillAccountsUseCase(h.deps).execute({ runId: 'run_1', period: Period.parse('2026-03'), accountIds: ids });
      expect(result).toMatchObject({ processed: 3, issued: 3, failures: [] });
      expect(h.batches).toEqual([['a1', 'a2', 'a3']]);
      // a2 drafted again (a second usage request, of a2 alone) and issued on its own
      expect(h.usageCalls.map((call) => call.accountIds)).toEqual([ids, ['a2']]);
      expect(h.issued.map((input) => input.accountId)).toEqual(['a1', 'a3', 'a2']);
    });

    it('#11 an account the batch sets aside (a credit settling older bills) is issued alone; already processed and closed are counted', async () => {
      const ids = ['a1', 'a2', 'a3', 'a4'];
      const alone: string[] = [];
      const h = harness({
        states: ids.map((id) => state(id)),
        usage: {},
        monthlyUsage: (_period, accountIds) => usageOf(accountIds),
        batchOutcome: (input) => ({ a1: 'set_aside', a3: 'already_processed', a4: 'run_not_running' } as Record<string, BatchIssueOutcome>)[input.accountId],
        issue: (input) => {
          alone.push(input.accountId);
          return 'issued';
        },
      });
      const result = await new BillAccountsUseCase(h.deps).execute({ runId: 'run_1', period: Period.parse('2026-03'), accountIds: ids });
      expect(alone).toEqual(['a2', 'a1']); // a2 in the batch, a1 alone after it
      expect(result).toMatchObject({ processed: 2, issued: 2, skipped: 1, closed: 1, failures: [] });
    });
  });
});
