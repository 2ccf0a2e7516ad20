import { billingCalendar, DomainError, Money } from '@cec/kernel';
import type { GuardState } from '@cec/billing-domain';
import type { AccountSnapshot, BillingDeps } from './billing.ports';
import { accountNotFound } from './account-not-found';
import type { GuardWorkerPoke, PrepaidGuardRepository } from './prepaid-guard.ports';

/** GET /v1/accounts/:id/balance with the prepaid guard's figures (issue 10). */
export interface GuardedBalance extends AccountSnapshot {
  /** The running month's accrued net charge so far ("0.00" when none, or not rated this month yet). */
  readonly accruedThisPeriod: Money;
  /**
   * The month before the running one, rated in full, while its bill is not yet deducted ("0.00"
   * once it is, or when there is none): at 00:00 on the 1st the accrual moves to the new month
   * before the run deducts the ended month's bill, and the ended month keeps counting until then.
   */
  readonly accruedUnbilled: Money;
  /** balance − accruedThisPeriod − accruedUnbilled. */
  readonly projectedBalance: Money;
  readonly lowBalanceThreshold: Money | null;
  readonly guardState: GuardState;
  /** The running month (UTC+8). */
  readonly period: string;
}

export class GetGuardedBalanceUseCase {
  constructor(
    private readonly deps: BillingDeps,
    private readonly guard: PrepaidGuardRepository,
  ) {}

  async execute(accountId: string): Promise<GuardedBalance> {
    const snapshot = await this.deps.accounts.snapshot(accountId);
    if (!snapshot) throw accountNotFound(accountId);
    const stored = await this.guard.find(accountId);
    const period = billingCalendar.periodOf(this.deps.clock.now());
    const zero = Money.zero(snapshot.currency);
    const previous = period.previous();
    // an accrual of an earlier month is not this month's (the worker re-rates at the turn of a day);
    // the month before counts as unbilled while it has no processed marker (read with the balance)
    const accrued = stored && stored.period !== null && stored.period.equals(period) ? stored.accrued : zero;
    let unbilled = zero;
    if (stored?.unbilled && stored.unbilled.period.equals(previous) && stored.period?.equals(period)) {
      unbilled = stored.unbilled.accrued;
    } else if (stored && stored.period?.equals(previous) && stored.periodUnbilled) {
      unbilled = stored.accrued;
    }
    return {
      ...snapshot,
      accruedThisPeriod: accrued,
      accruedUnbilled: unbilled,
      projectedBalance: snapshot.balance.minus(accrued).minus(unbilled),
      lowBalanceThreshold: stored?.threshold ?? null,
      guardState: stored?.state ?? 'ok',
      period: period.toString(),
    };
  }
}

export interface BalanceThresholdAnswer {
  readonly accountId: string;
  readonly lowBalance: string | null;
  readonly guardState: GuardState;
}

/** PUT/GET /v1/accounts/:id/balance-threshold (issue 10). */
export class BalanceThresholdUseCase {
  constructor(
    private readonly guard: PrepaidGuardRepository,
    private readonly worker: GuardWorkerPoke,
  ) {}

  async set(accountId: string, input: { lowBalance: string }): Promise<BalanceThresholdAnswer> {
    const threshold = Money.parse(input.lowBalance, 'lowBalance');
    if (threshold.isNegative()) throw DomainError.validation('lowBalance must be 0.00 or more');
    if (!(await this.guard.setThreshold(accountId, threshold))) throw accountNotFound(accountId);
    this.worker.poke(); // evaluated against the new threshold within a tick
    return this.get(accountId);
  }

  async get(accountId: string): Promise<BalanceThresholdAnswer> {
    const stored = await this.guard.find(accountId);
    if (!stored) throw accountNotFound(accountId);
    return { accountId, lowBalance: stored.threshold?.toString() ?? null, guardState: stored.state };
  }
}
