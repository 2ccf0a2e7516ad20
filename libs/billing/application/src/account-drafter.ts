import { billingCalendar, CalendarDate, DomainError, Period, RemoteCallError } from '@cec/kernel';
import {
  BillDraft,
  BilledForPeriod,
  BillInput,
  billInputOf,
  DiscountBook,
  draftBill,
  DraftBillInput,
  PriceBook,
  ReRatedPeriodInput,
  SubscriptionRuns,
  UsageRun,
} from '@cec/billing-domain';
import type { DailyUsageRun, MonthlyUsageReply } from '@cec/contracts';
import type { AccountBillingState, AccountFailure, BillingDeps } from './billing.ports';

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

/**
 * The runs of days up to and including `lastDay` (all of them when null), kept as runs (#11: rated
 * run by run, never expanded into one object per day).
 */
function upTo(runs: readonly DailyUsageRun[], lastDay: CalendarDate | null): UsageRun[] {
  if (lastDay === null) return [...runs];
  const kept: UsageRun[] = [];
  for (const run of runs) {
    if (run.from > lastDay) continue;
    kept.push(run.to > lastDay ? { ...run, to: lastDay } : run);
  }
  return kept;
}

/** Subscriptions of a usage reply per requested account (others are ignored). */
function groupByAccount(reply: MonthlyUsageReply, accountIds: ReadonlySet<string>, lastDay: CalendarDate | null): Map<string, SubscriptionRuns[]> {
  const byAccount = new Map<string, SubscriptionRuns[]>();
  if (!Array.isArray(reply.subscriptions)) throw invalidReply('metering answered a usage reply without subscriptions');
  for (const subscription of reply.subscriptions) {
    if (!accountIds.has(subscription.accountId)) continue;
    const list = byAccount.get(subscription.accountId) ?? [];
    list.push({ subscriptionId: subscription.subscriptionId, accountId: subscription.accountId, runs: upTo(Array.isArray(subscription.runs) ? subscription.runs : [], lastDay) });
    byAccount.set(subscription.accountId, list);
  }
  return byAccount;
}

export interface DraftOptions {
  /**
   * A run marks accounts whose late usage reached a month never processed for them for the
   * scheduler's catch-up (#9.4); a preview stores nothing and does not.
   */
  readonly markForCatchUp: boolean;
  /**
   * The last day of the period's usage counted (a preview of the running month: today, issue 10);
   * absent: the whole month. Earlier months re-rated for late usage are always counted whole.
   */
  readonly lastDay?: CalendarDate;
}

export interface DraftResult {
  readonly prepared: Map<string, PreparedAccount>;
  /** Accounts that cannot be rated (a pure failure: the same data fails again). */
  readonly failures: AccountFailure[];
}

/**
 * Drafts the bills of a batch of accounts for a period, exactly as a run does: the one code path
 * shared by the run ({@link BillAccountsUseCase}) and the upcoming-bill preview (issue 10).
 *
 * Per batch (never per account): one metering request for the period's usage, one for the usage
 * revisions of accounts billed before (R6.2), one per earlier month to re-rate, one catalog request
 * for the prices of every product involved; then per account the pure draft (R4, R5, R6.2).
 * A request refused or failing is thrown.
 */
export class AccountDrafter {
  constructor(private readonly deps: Pick<BillingDeps, 'usage' | 'catalog' | 'discounts' | 'ledger' | 'accounts'>) {}

  async draft(period: Period, todo: readonly AccountBillingState[], options: DraftOptions): Promise<DraftResult> {
    const failures: AccountFailure[] = [];
    const ids = todo.map((state) => state.accountId);
    const idSet = new Set(ids);

    // 1. the period's usage first: its revision R_P bounds what the revisions answer must cover
    const usage = await this.deps.usage.monthlyUsage(period, ids);
    const periodRevision = parseRevision(usage.asOfRevision, period.toString());
    const usageByAccount = groupByAccount(usage, idSet, options.lastDay ?? null);
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
    if (unprocessed.length > 0 && options.markForCatchUp) await this.deps.accounts.markForCatchUp(unprocessed);
    const accountsByPeriod = new Map<string, { period: Period; accountIds: string[] }>();
    for (const [accountId, periods] of reRatePeriods) {
      for (const month of periods) {
        const entry = accountsByPeriod.get(month.toString()) ?? { period: month, accountIds: [] };
        entry.accountIds.push(accountId);
        accountsByPeriod.set(month.toString(), entry);
      }
    }
    const reRatedUsage = new Map<string, Map<string, SubscriptionRuns[]>>();
    const months = [...accountsByPeriod.values()].sort((a, b) => a.period.compare(b.period));
    for (const month of months) {
      const reply = await this.deps.usage.monthlyUsage(month.period, month.accountIds);
      const revision = parseRevision(reply.asOfRevision, month.period.toString());
      for (const accountId of month.accountIds) revisionOf.set(accountId, min(revisionOf.get(accountId) as bigint, revision));
      reRatedUsage.set(month.period.toString(), groupByAccount(reply, new Set(month.accountIds), null));
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
    const collect = (subscriptions: Iterable<SubscriptionRuns[]>): void => {
      for (const list of subscriptions) for (const subscription of list) for (const run of subscription.runs) for (const code of run.productCodes ?? []) codes.add(code);
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
        const input: DraftBillInput = {
          accountId: state.accountId,
          period,
          currency: state.currency,
          subscriptions: usageByAccount.get(state.accountId) ?? [],
          reRated,
          prices: priceBook,
          discounts,
        };
        const draft = draftBill(input);
        prepared.set(state.accountId, { draft, input: billInputOf(input, draft), usageRevision: (revisionOf.get(state.accountId) as bigint).toString() });
      } catch (error) {
        // rating is pure: whatever it throws, it throws again for the same data
        const failure = error instanceof DomainError ? { code: error.code, message: error.message } : { code: 'RATING_FAILED', message: String(error instanceof Error ? error.message : error) };
        failures.push({ accountId: state.accountId, ...failure });
      }
    }
    return { prepared, failures };
  }
}

/** An account's draft, the inputs it was rated from (kept with the bill, issue 10) and its usage revision. */
export interface PreparedAccount {
  readonly draft: BillDraft;
  readonly input: BillInput;
  readonly usageRevision: string;
}

/** How many months [from, to) holds (0 when from is not before to). */
function monthsBefore(from: Period, to: Period): number {
  return Math.max(0, to.year * 12 + to.month - (from.year * 12 + from.month));
}

function lastDate(period: Period): string {
  return `${period.toString()}-${String(billingCalendar.daysInPeriod(period)).padStart(2, '0')}`;
}
