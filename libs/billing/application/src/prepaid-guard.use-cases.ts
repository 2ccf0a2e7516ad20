import { billingCalendar, DomainError, Money } from '@cec/kernel';
import type { GuardState } from '@cec/billing-domain';
import type { AccountSnapshot, BillingDeps } from './billing.ports';
import { accountNotFound } from './account-not-found';
import type { GuardWorkerPoke, PrepaidGuardRepository } from './prepaid-guard.ports';

/** GET /v1/accounts/:id/balance with the prepaid guard's figures (issue 10). */
export interface GuardedBalance extends AccountSnapshot {
  /** The running month's accrued net charge so far ("0.00" when none, or not rated this month yet). */
  readonly accruedThisPeriod: Money;
  /** balance − accruedThisPeriod. */
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
    // an accrual of an earlier month is not this month's (the worker re-rates at the turn of a day)
    const accrued = stored && stored.period !== null && stored.period.equals(period) ? stored.accrued : Money.zero(snapshot.currency);
    return {
      ...snapshot,
      accruedThisPeriod: accrued,
      projectedBalance: snapshot.balance.minus(accrued),
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
