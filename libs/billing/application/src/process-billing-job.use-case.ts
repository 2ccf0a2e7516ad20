import { DomainError, isValidClientId, Period } from '@cec/kernel';
import type { BillingRunJobMessage } from '@cec/contracts';
import type { BillingDeps } from './billing.ports';
import { BillAccountsResult, BillAccountsUseCase } from './bill-accounts.use-case';

function parseJob(message: unknown): BillingRunJobMessage & { parsedPeriod: Period } {
  const value = (message ?? {}) as Partial<BillingRunJobMessage>;
  if (typeof value.runId !== 'string' || !Number.isInteger(value.batch) || !Array.isArray(value.accountIds)) {
    throw DomainError.validation('job must carry runId, batch and accountIds');
  }
  if (!value.accountIds.every((id) => isValidClientId(id))) throw DomainError.validation('job accountIds must be account ids');
  return { runId: value.runId, period: String(value.period), batch: value.batch as number, accountIds: value.accountIds, parsedPeriod: Period.parse(value.period, 'period') };
}

/**
 * One job of the work queue: bills its accounts (each exactly once), then marks the job finished
 * and completes the run after its last job. The consumer acks the message only after this returns,
 * so a job cut short by a crash is redelivered; what was committed is skipped the second time.
 */
export class ProcessBillingJobUseCase {
  private readonly billAccounts: BillAccountsUseCase;

  constructor(private readonly deps: BillingDeps) {
    this.billAccounts = new BillAccountsUseCase(deps);
  }

  async execute(message: unknown): Promise<{ processed: number; issued: number; skipped: number; failed: number } | null> {
    let job: ReturnType<typeof parseJob>;
    try {
      job = parseJob(message);
    } catch {
      return null; // not a job of ours: nothing to do, the message is dropped
    }
    const run = await this.deps.runs.find(job.runId);
    if (!run || run.status !== 'running' || run.period !== job.parsedPeriod.toString()) return null;
    let result: BillAccountsResult;
    try {
      result = await this.billAccounts.execute({ runId: job.runId, period: job.parsedPeriod, accountIds: job.accountIds });
    } catch (error) {
      // a deterministic refusal (e.g. a malformed answer of another app) fails the job instead of
      // redelivering it forever; the accounts stay unbilled for a repeated run (R7.2)
      if (!(error instanceof DomainError)) throw error;
      result = { processed: 0, issued: 0, skipped: 0, failures: [{ accountId: job.accountIds[0] ?? '-', code: error.code, message: error.message }] };
    }
    const error =
      result.failures.length === 0
        ? null
        : `${result.failures.length} account(s) not billed: ${result.failures
            .slice(0, 3)
            .map((failure) => `${failure.accountId}: ${failure.message}`)
            .join('; ')}`;
    await this.deps.runs.finishJob(job.runId, job.batch, error, this.deps.clock.now());
    return { processed: result.processed, issued: result.issued, skipped: result.skipped, failed: result.failures.length };
  }
}
