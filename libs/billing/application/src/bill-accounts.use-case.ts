import { newId, Period } from '@cec/kernel';
import { AccountDrafter, PreparedAccount } from './account-drafter';
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

/**
 * The heart of a run: bills a batch of accounts for a period, each exactly once.
 *
 * Per batch (never per account) the drafts of {@link AccountDrafter} (the code path the
 * upcoming-bill preview shares), then with bounded concurrency one transaction per account (bill,
 * lines, the inputs it was rated from, deduction, balance, marker, events).
 */
export class BillAccountsUseCase {
  private readonly drafter: AccountDrafter;

  constructor(private readonly deps: BillingDeps) {
    this.drafter = new AccountDrafter(deps);
  }

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

  /** Steps 1-4: the pure drafts (per account: a draft, or a permanent failure in `result`). */
  private async prepare(period: Period, todo: readonly AccountBillingState[], result: BillAccountsResult): Promise<Map<string, PreparedAccount>> {
    const { prepared, failures } = await this.drafter.draft(period, todo, { markForCatchUp: true });
    result.failures.push(...failures);
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
          input: account.input,
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

