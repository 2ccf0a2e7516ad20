import { DomainError, isValidClientId } from '@cec/kernel';
import type { UsageRevisionsReply } from '@cec/contracts';
import { AccountRevision, MeteringDeps } from './metering.ports';

export const MAX_REVISION_ACCOUNTS = 5000;
const REVISION_PATTERN = /^(0|[1-9]\d{0,18})$/;

/**
 * Request/reply for billing (PATTERNS.meteringUsageRevisions), R6.2: for each account and the
 * revision billing last saw for it, the earliest period (UTC+8) that timeline writes made since
 * can change. Accounts with no such write are left out.
 */
export class GetUsageRevisionsUseCase {
  constructor(private readonly deps: MeteringDeps) {}

  async execute(request: { accounts?: unknown } | null | undefined): Promise<UsageRevisionsReply> {
    const accounts = request?.accounts;
    if (!Array.isArray(accounts) || accounts.length > MAX_REVISION_ACCOUNTS) {
      throw DomainError.validation(`accounts must be an array of at most ${MAX_REVISION_ACCOUNTS} {accountId, afterRevision}`);
    }
    const parsed = new Map<string, AccountRevision>();
    for (const entry of accounts as unknown[]) {
      const { accountId, afterRevision } = (typeof entry === 'object' && entry !== null ? entry : {}) as { accountId?: unknown; afterRevision?: unknown };
      if (!isValidClientId(accountId)) throw DomainError.validation('accounts[].accountId must be an account id');
      const revision = typeof afterRevision === 'number' && Number.isSafeInteger(afterRevision) ? String(afterRevision) : afterRevision;
      if (typeof revision !== 'string' || !REVISION_PATTERN.test(revision) || BigInt(revision) > 9_223_372_036_854_775_807n) {
        throw DomainError.validation('accounts[].afterRevision must be a revision (a whole number >= 0, as a string)');
      }
      const previous = parsed.get(accountId);
      // asked twice: the lower revision asks for more
      if (!previous || BigInt(revision) < BigInt(previous.afterRevision)) parsed.set(accountId, { accountId, afterRevision: revision });
    }
    if (parsed.size === 0) return { revisions: [] };
    const revisions = await this.deps.repository.earliestPeriodsWrittenAfter([...parsed.values()]);
    return { revisions: revisions.sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0)) };
  }
}
