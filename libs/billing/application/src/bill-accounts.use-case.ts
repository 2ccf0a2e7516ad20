import { newId, Period } from '@cec/kernel';
import { AccountDrafter, PreparedAccount } from './account-drafter';
import type {
  AccountBillingState,
  AccountFailure,
  BatchIssueOutcome,
  BillingDeps,
  IssueBillInput,
} from './billing.ports';
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

/** Accounts written per transaction when the settings do not say (`BILLING_WRITE_BATCH_SIZE`). */
export const DEFAULT_WRITE_BATCH_SIZE = 500;

/** A chunk of the job drafted and ready to write. */
interface PreparedChunk {
  readonly todo: readonly AccountBillingState[];
  readonly drafts: ReadonlyMap<string, PreparedAccount>;
}

/**
 * The heart of a run: bills a batch of accounts for a period, each exactly once.
 *
 * The job's accounts go in chunks (`writeBatchSize`) through a two-stage pipeline: while chunk n is
 * written, chunk n+1 is fetched and drafted. Per chunk (never per account): the states, the inputs
 * and the drafts of {@link AccountDrafter} (the code path the upcoming-bill preview shares), then
 * ONE transaction of a few set-based statements for the whole chunk
 * ({@link BillingLedger.issueBatch}), each account in it all or nothing. An account the batch
 * leaves out is retried alone: one whose state changed since its draft (drafted again), one whose
 * credit settles older bills, and, should the database refuse the batch's data, every account of
 * the chunk (so that only the one refused fails).
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
   * A retryable failure is thrown after the chunk in flight was committed (redelivery skips it).
   */
  async execute(command: BillAccountsCommand): Promise<BillAccountsResult> {
    const result: BillAccountsResult = { processed: 0, issued: 0, skipped: 0, failures: [], closed: 0 };
    const ids = [...new Set(command.accountIds)];
    const size = Math.max(1, this.deps.settings.writeBatchSize ?? DEFAULT_WRITE_BATCH_SIZE);
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += size) chunks.push(ids.slice(i, i + size));
    const prepare = (index: number): Promise<PreparedChunk> => this.prepareChunk(command.period, chunks[index], result);
    let next: Promise<PreparedChunk> | null = chunks.length > 0 ? prepare(0) : null;
    try {
      for (let index = 0; next !== null; index += 1) {
        const chunk = await next;
        // fetch and draft the next chunk while this one is written
        next = index + 1 < chunks.length ? prepare(index + 1) : null;
        // a failure of the prefetch is seen when it is awaited; never as an unhandled rejection
        next?.catch(() => undefined);
        await this.write(command, chunk, result);
      }
    } finally {
      if (result.issued > 0) this.deps.events.poke();
    }
    return result;
  }

  /** The chunk's states, then its drafts (a permanent failure of a request narrowed by halving). */
  private async prepareChunk(
    period: Period,
    ids: readonly string[],
    result: BillAccountsResult,
  ): Promise<PreparedChunk> {
    const states = await this.deps.ledger.loadStates(ids, period);
    const todo = states.filter((state) => !state.processed);
    result.skipped += states.length - todo.length;
    const drafts = new Map<string, PreparedAccount>();
    if (todo.length > 0) await this.draftIsolating(period, todo, drafts, result);
    return { todo: todo.filter((state) => drafts.has(state.accountId)), drafts };
  }

  private async draftIsolating(
    period: Period,
    todo: readonly AccountBillingState[],
    into: Map<string, PreparedAccount>,
    result: BillAccountsResult,
  ): Promise<void> {
    try {
      const { prepared, failures } = await this.drafter.draft(period, todo, { markForCatchUp: true });
      result.failures.push(...failures);
      for (const [accountId, account] of prepared) into.set(accountId, account);
    } catch (error) {
      const failure = jobFailureOf(error);
      if (failure.retryable) throw error;
      if (todo.length === 1) {
        result.failures.push({ accountId: todo[0].accountId, code: failure.code, message: failure.message });
        return;
      }
      const half = Math.ceil(todo.length / 2);
      await this.draftIsolating(period, todo.slice(0, half), into, result);
      await this.draftIsolating(period, todo.slice(half), into, result);
    }
  }

  private issueInput(
    command: BillAccountsCommand,
    state: AccountBillingState,
    account: PreparedAccount,
  ): IssueBillInput {
    return {
      runId: command.runId,
      accountId: state.accountId,
      period: command.period,
      draft: account.draft,
      input: account.input,
      usageRevision: account.usageRevision,
      expectedBillSeq: state.billSeq,
      billId: newId('bill'),
      issuedAt: this.deps.clock.now(),
    };
  }

  /** The chunk in one batch transaction; what it leaves out, alone. */
  private async write(command: BillAccountsCommand, chunk: PreparedChunk, result: BillAccountsResult): Promise<void> {
    if (chunk.todo.length === 0) return;
    const inputs = chunk.todo.map((state) =>
      this.issueInput(command, state, chunk.drafts.get(state.accountId) as PreparedAccount),
    );
    let outcomes: Map<string, BatchIssueOutcome>;
    try {
      outcomes = await this.deps.ledger.issueBatch(inputs);
    } catch (error) {
      if (jobFailureOf(error).retryable) throw error;
      // the database refused some account's data (nothing of the batch was written): each alone,
      // so that only that account fails
      outcomes = new Map(inputs.map((input) => [input.accountId, 'set_aside' as const]));
    }
    const alone: AccountBillingState[] = [];
    const stale: string[] = [];
    for (const state of chunk.todo) {
      const outcome = outcomes.get(state.accountId);
      if (outcome === 'set_aside') alone.push(state);
      else if (outcome === 'stale') stale.push(state.accountId);
      else if (outcome !== undefined) count(result, outcome);
    }
    if (alone.length > 0) await this.issueAlone(command, alone, chunk.drafts, result);
    if (stale.length > 0) await this.redraftAlone(command, stale, result);
  }

  /**
   * Accounts billed by someone else since their draft: drafted again from their state now, then
   * issued one by one; stale again, the job is redelivered (committed accounts are skipped then).
   */
  private async redraftAlone(
    command: BillAccountsCommand,
    accountIds: readonly string[],
    result: BillAccountsResult,
  ): Promise<void> {
    const states = await this.deps.ledger.loadStates(accountIds, command.period);
    const todo = states.filter((state) => !state.processed);
    result.skipped += states.length - todo.length;
    const drafts = new Map<string, PreparedAccount>();
    if (todo.length > 0) await this.draftIsolating(command.period, todo, drafts, result);
    await this.issueAlone(command, todo, drafts, result);
  }

  /** One transaction per account, a few at a time. */
  private async issueAlone(
    command: BillAccountsCommand,
    todo: readonly AccountBillingState[],
    prepared: ReadonlyMap<string, PreparedAccount>,
    result: BillAccountsResult,
  ): Promise<void> {
    let retry: unknown = null;
    await forEachWithConcurrency(todo, this.deps.settings.accountConcurrency, async (state: AccountBillingState) => {
      const account = prepared.get(state.accountId);
      if (!account) return; // failed while drafting
      try {
        count(result, await this.deps.ledger.issue(this.issueInput(command, state, account)));
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

function count(result: BillAccountsResult, outcome: Exclude<BatchIssueOutcome, 'stale' | 'set_aside'>): void {
  if (outcome === 'already_processed') result.skipped += 1;
  else if (outcome === 'run_not_running') result.closed += 1;
  else {
    result.processed += 1;
    if (outcome === 'issued') result.issued += 1;
  }
}
