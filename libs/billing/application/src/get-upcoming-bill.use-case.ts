import type { DateTime } from 'luxon';
import { billingCalendar, CalendarDate, Currency, DomainError, ERROR_CODES, ErrorCode, Money, Period } from '@cec/kernel';
import type { BillInput, BillLine } from '@cec/billing-domain';
import { AccountDrafter } from './account-drafter';
import { accountNotFound } from './account-not-found';
import type { BillingDeps } from './billing.ports';

export interface UpcomingBillQuery {
  readonly accountId: string;
  /** Absent: the running month (UTC+8, per the injected clock). */
  readonly period?: string;
}

/** The bill an account would get for a month if the month ended now (issue 10); nothing is stored. */
export interface UpcomingBill {
  readonly accountId: string;
  readonly period: Period;
  readonly currency: Currency;
  /** When it was drafted (the injected clock). */
  readonly asOf: DateTime;
  /** The last day counted: today for the running month, else the month's last day. */
  readonly countedThrough: CalendarDate;
  /** False for an ended month: the figures are final unless usage, prices or discounts change. */
  readonly running: boolean;
  readonly lines: readonly BillLine[];
  readonly total: Money;
  readonly input: BillInput;
}

function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}

/**
 * GET /v1/accounts/:id/upcoming-bill (issue 10): drafts the account's bill of a month not yet
 * billed with the run's own code path ({@link AccountDrafter}: same usage gateway, prices, discounts,
 * pure rating, late-usage adjustments of earlier months), and stores nothing.
 *
 * The running month "ends now" (R4.1): every day up to and including today (UTC+8) counts with its
 * quantity in force (today's largest quantity so far), later days count 0; D stays the month's
 * days, so the figure grows day by day towards the month's bill. An ended month counts every day.
 */
export class GetUpcomingBillUseCase {
  private readonly drafter: AccountDrafter;

  constructor(private readonly deps: BillingDeps) {
    this.drafter = new AccountDrafter(deps);
  }

  async execute(query: UpcomingBillQuery): Promise<UpcomingBill> {
    const now = this.deps.clock.now();
    const running = billingCalendar.periodOf(now);
    const period = query.period === undefined ? running : Period.parse(query.period, 'period');
    if (period.compare(running) > 0) {
      throw new DomainError('PERIOD_NOT_STARTED', `period ${period.toString()} has not begun (the running month is ${running.toString()})`);
    }
    const [state] = await this.deps.ledger.loadStates([query.accountId], period);
    if (!state) throw accountNotFound(query.accountId);
    if (state.processed) {
      throw new DomainError('PERIOD_ALREADY_BILLED', `account "${query.accountId}" was already billed for ${period.toString()}: see GET /v1/bills`);
    }
    const isRunning = period.equals(running);
    const today = billingCalendar.dateOf(now);
    const { prepared, failures } = await this.drafter.draft(period, [state], { markForCatchUp: false, ...(isRunning ? { lastDay: today } : {}) });
    const account = prepared.get(state.accountId);
    if (!account) {
      const failure = failures[0];
      const code: ErrorCode = failure && isErrorCode(failure.code) && failure.code !== 'VALIDATION_FAILED' ? failure.code : 'BILL_NOT_RATABLE';
      throw new DomainError(code, failure?.message ?? `account "${query.accountId}" cannot be rated for ${period.toString()}`);
    }
    const dates = billingCalendar.datesOf(period);
    return {
      accountId: state.accountId,
      period,
      currency: account.draft.currency,
      asOf: now,
      countedThrough: isRunning ? today : dates[dates.length - 1],
      running: isRunning,
      lines: account.draft.lines,
      total: account.draft.total,
      input: account.input,
    };
  }
}
