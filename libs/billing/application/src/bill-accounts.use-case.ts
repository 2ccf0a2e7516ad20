import { billingCalendar, DomainError, newId, Period, RemoteCallError } from '@cec/kernel';
import { BillDraft, BilledForPeriod, DiscountBook, draftBill, PriceBook, ReRatedPeriodInput, SubscriptionUsage } from '@cec/billing-domain';
import { fromUsageRuns, type MonthlyUsageReply } from '@cec/contracts';
import type { AccountBillingState, AccountFailure, BillingDeps } from './billing.ports';
import { forEachWithConcurrency } from './concurrency';
import { jobFailureOf } from './job-failures';

export interface BillAccountsCommand {
  runId: string;
  period: Period;
  accountIds: readonly string[];
}

export interface BillAccountsResult {
  /** Accounts processed now (billed, or nothing to bill). */
  processed: number;
  issued: number;
  /** Accounts found already processed for the period (a repeated or resumed job). */
  skipped: number;
  /**
   * Accounts that failed permanently (e.g. no price in force, a usage answer refused, an amount the
   * database cannot store): left unprocessed for the run's failures and a later retry.
   */
  failures: AccountFailure[];
  /** Accounts found written by a run that is no longer running (cancelled meanwhile). */
  closed: number;
}

const REVISION_PATTERN = /^\d{1,19}$/;

function invalidReply(message: string): RemoteCallError {
  return new RemoteCallError(502, 'INVALID_REPLY', message, false);
}

function parseRevision(value: unknown, what: string): bigint {
  if (typeof value !== 'string' || !REVISION_PATTERN.test(value)) {
    throw invalidReply(`metering answered an invalid revision for ${what}: ${String(value)}`);
  }
  return BigInt(value);
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** Subscriptions of a usage reply per requested account (others are ignored). */
function groupByAccount(reply: MonthlyUsageReply, accountIds: ReadonlySet<string>): Map<string, SubscriptionUsage[]> {
  const byAccount = new Map<string, SubscriptionUsage[]>();
  if (!Array.isArray(reply.subscriptions)) throw invalidReply('metering answered a usage reply without subscriptions');
  for (const subscription of reply.subscriptions) {
    if (!accountIds.has(subscription.accountId)) continue;
    const list = byAccount.get(subscription.accountId) ?? [];
    list.push({ subscriptionId: subscription.subscriptionId, accountId: subscription.accountId, days: fromUsageRuns(Array.isArray(subscription.runs) ? subscription.runs : []) });
    byAccount.set(subscription.accountId, list);
  }
  return byAccount;
}

/**
 * The heart of a run: bills a batch of accounts for a period, each exactly once.
 *
 * Per batch (never per account): one metering request for the period's usage, one for the usage
 * revisions of accounts billed before (R6.2), one per earlier month to re-rate, one catalog request
 * for the prices of every product involved. Then per account the pure draft (R4, R5, R6.2), and
 * with bounded concurrency one transaction per account (bill, lines, deduction, balance, marker,
 * events).
 */
export class BillAccountsUseCase {
  constructor(private readonly deps: BillingDeps) {}

  /**
   * Bills what can be billed. A permanent failure of one account is recorded in `failures` and the
   * others are billed; a permanent failure of a batch request (one account's data refused by the
   * other app) is narrowed down by halving the batch, so that only the accounts that cause it fail.
   * A retryable failure is thrown after the other accounts were committed (redelivery skips them).
   */
  async execute(command: BillAccountsCommand): Promise<BillAccountsResult> {
    const states = await this.deps.ledger.loadStates([...new Set(command.accountIds)], command.period);
    const todo = states.filter((state) => !state.processed);
    const result: BillAccountsResult = { processed: 0, issued: 0, skipped: states.length - todo.length, failures: [], closed: 0 };
    if (todo.length === 0) return result;
    try {
      await this.billIsolating(command, todo, result);
    } finally {
      if (result.issued > 0) this.deps.events.poke();
    }
    return result;
  }

  private async billIsolating(command: BillAccountsCommand, todo: readonly AccountBillingState[], result: BillAccountsResult): Promise<void> {
    let drafts: Map<string, PreparedAccount>;
    try {
      drafts = await this.prepare(command.period, todo, result);
    } catch (error) {
      const failure = jobFailureOf(error);
      if (failure.retryable) throw error;
      if (todo.length === 1) {
        result.failures.push({ accountId: todo[0].accountId, code: failure.code, message: failure.message });
        return;
      }
      const half = Math.ceil(todo.length / 2);
      await this.billIsolating(command, todo.slice(0, half), result);
      await this.billIsolating(command, todo.slice(half), result);
      return;
    }
    await this.issueAll(command, todo, drafts, result);
  }

  /** Steps 1-3 and the pure drafts (per account: a draft, or a permanent failure in `result`). */
  private async prepare(period: Period, todo: readonly AccountBillingState[], result: BillAccountsResult): Promise<Map<string, PreparedAccount>> {
    const ids = todo.map((state) => state.accountId);
    const idSet = new Set(ids);

    // 1. the period's usage first: its revision R_P bounds what the revisions answer must cover
    const usage = await this.deps.usage.monthlyUsage(period, ids);
    const periodRevision = parseRevision(usage.asOfRevision, period.toString());
    const usageByAccount = groupByAccount(usage, idSet);
    const revisionOf = new Map<string, bigint>(ids.map((id) => [id, periodRevision]));

    // 2. late usage (R6.2): accounts with timeline writes after the revision their bills reflect
    const billedBefore = todo.filter((state) => state.usageRevision !== null);
    const earliest = new Map<string, Period>();
    if (billedBefore.length > 0) {
      const reply = await this.deps.usage.revisions({
        accounts: billedBefore.map((state) => ({ accountId: state.accountId, afterRevision: state.usageRevision as string })),
      });
      for (const entry of reply.revisions ?? []) {
        if (idSet.has(entry.accountId)) earliest.set(entry.accountId, Period.parse(entry.earliestPeriod, 'earliestPeriod'));
      }
    }
    const reRatePeriods = earliest.size > 0 ? await this.deps.ledger.processedPeriods(earliest, period) : new Map<string, Period[]>();
    // #9.4: late usage in an earlier month never processed for the account (no run had it then) is
    // not an adjustment: that month needs its first bill, which the scheduler's next tick plans
    const unprocessed = [...earliest]
      .filter(([accountId, from]) => monthsBefore(from, period) > (reRatePeriods.get(accountId) ?? []).filter((month) => month.compare(period) < 0).length)
      .map(([accountId]) => accountId);
    if (unprocessed.length > 0) await this.deps.accounts.markForCatchUp(unprocessed);
    const accountsByPeriod = new Map<string, { period: Period; accountIds: string[] }>();
    for (const [accountId, periods] of reRatePeriods) {
      for (const month of periods) {
        const entry = accountsByPeriod.get(month.toString()) ?? { period: month, accountIds: [] };
        entry.accountIds.push(accountId);
        accountsByPeriod.set(month.toString(), entry);
      }
    }
    const reRatedUsage = new Map<string, Map<string, SubscriptionUsage[]>>();
    const months = [...accountsByPeriod.values()].sort((a, b) => a.period.compare(b.period));
    for (const month of months) {
      const reply = await this.deps.usage.monthlyUsage(month.period, month.accountIds);
      const revision = parseRevision(reply.asOfRevision, month.period.toString());
      for (const accountId of month.accountIds) revisionOf.set(accountId, min(revisionOf.get(accountId) as bigint, revision));
      reRatedUsage.set(month.period.toString(), groupByAccount(reply, new Set(month.accountIds)));
    }
    const billed =
      months.length > 0
        ? await this.deps.ledger.billedAmounts(
            [...reRatePeriods.keys()],
            months.map((month) => month.period),
          )
        : new Map<string, Map<string, Map<string, BilledForPeriod>>>();

    // 3. prices of every product involved, over the whole range, in one request
    const codes = new Set<string>();
    const collect = (subscriptions: Iterable<SubscriptionUsage[]>): void => {
      for (const list of subscriptions) for (const subscription of list) for (const day of subscription.days) for (const code of day.productCodes ?? []) codes.add(code);
    };
    collect(usageByAccount.values());
    for (const byAccount of reRatedUsage.values()) collect(byAccount.values());
    const from = months.length > 0 ? months[0].period : period;
    const prices =
      codes.size > 0
        ? await this.deps.catalog.resolvePrices({ productCodes: [...codes].sort(), from: from.firstDate(), to: lastDate(period) })
        : { prices: {} };
    const priceBook = PriceBook.fromVersions(prices.prices ?? {});
    const discounts = DiscountBook.of(await this.deps.discounts.listForAccounts(ids));

    // 4. the pure drafts; an account that cannot be rated fails alone
    const prepared = new Map<string, PreparedAccount>();
    for (const state of todo) {
      try {
        const reRated: ReRatedPeriodInput[] = (reRatePeriods.get(state.accountId) ?? []).map((month) => ({
          period: month,
          subscriptions: reRatedUsage.get(month.toString())?.get(state.accountId) ?? [],
          billed: billed.get(state.accountId)?.get(month.toString()) ?? new Map<string, BilledForPeriod>(),
        }));
        const draft = draftBill({
          accountId: state.accountId,
          period,
          currency: state.currency,
          subscriptions: usageByAccount.get(state.accountId) ?? [],
          reRated,
          prices: priceBook,
          discounts,
        });
        prepared.set(state.accountId, { draft, usageRevision: (revisionOf.get(state.accountId) as bigint).toString() });
      } catch (error) {
        // rating is pure: whatever it throws, it throws again for the same data
        const failure = error instanceof DomainError ? { code: error.code, message: error.message } : { code: 'RATING_FAILED', message: String(error instanceof Error ? error.message : error) };
        result.failures.push({ accountId: state.accountId, ...failure });
      }
    }
    return prepared;
  }

  /** 5. one transaction per account, a few at a time. */
  private async issueAll(command: BillAccountsCommand, todo: readonly AccountBillingState[], prepared: ReadonlyMap<string, PreparedAccount>, result: BillAccountsResult): Promise<void> {
    let retry: unknown = null;
    await forEachWithConcurrency(todo, this.deps.settings.accountConcurrency, async (state: AccountBillingState) => {
      const account = prepared.get(state.accountId);
      if (!account) return; // failed while drafting
      try {
        const outcome = await this.deps.ledger.issue({
          runId: command.runId,
          accountId: state.accountId,
          period: command.period,
          draft: account.draft,
          usageRevision: account.usageRevision,
          expectedBillSeq: state.billSeq,
          billId: newId('bill'),
          issuedAt: this.deps.clock.now(),
        });
        if (outcome === 'already_processed') result.skipped += 1;
        else if (outcome === 'run_not_running') result.closed += 1;
        else {
          result.processed += 1;
          if (outcome === 'issued') result.issued += 1;
        }
      } catch (error) {
        const failure = jobFailureOf(error);
        // drafted on a state someone else changed, or the database away: redeliver the job (the
        // accounts committed meanwhile are skipped then); a refusal of the data fails the account
        if (failure.retryable) retry ??= error;
        else result.failures.push({ accountId: state.accountId, code: failure.code, message: failure.message });
      }
    });
    if (retry !== null) throw retry;
  }
}

interface PreparedAccount {
  readonly draft: BillDraft;
  readonly usageRevision: string;
}

/** How many months [from, to) holds (0 when from is not before to). */
function monthsBefore(from: Period, to: Period): number {
  return Math.max(0, to.year * 12 + to.month - (from.year * 12 + from.month));
}

function lastDate(period: Period): string {
  return `${period.toString()}-${String(billingCalendar.daysInPeriod(period)).padStart(2, '0')}`;
}
