import { billingCalendar, DomainError, isValidClientId } from '@cec/kernel';
import { toUsageRuns, usagePage, type MonthlyUsageReply, type SubscriptionUsageMessage, type UsageCursor } from '@cec/contracts';
import { dailyUsageOfSegments, periodDays, timelineSegments } from '@cec/metering-domain';
import { MeteringDeps } from './metering.ports';

export const MAX_MONTHLY_USAGE_ACCOUNTS = 5000;
/** The smallest page a requester may ask for (a page holds at least one subscription anyway). */
export const MIN_USAGE_PAGE_BYTES = 1024;

function parseCursor(value: unknown): UsageCursor | undefined {
  if (value === undefined || value === null) return undefined;
  const cursor = value as Partial<UsageCursor>;
  if (typeof cursor !== 'object' || typeof cursor.accountId !== 'string' || typeof cursor.subscriptionId !== 'string') {
    throw DomainError.validation('after must be the {accountId, subscriptionId} of a previous page\'s next');
  }
  return { accountId: cursor.accountId, subscriptionId: cursor.subscriptionId };
}

function parseWithRevision(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value !== 'boolean') throw DomainError.validation('withRevision must be true or false');
  return value;
}

function parseMaxBytes(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_USAGE_PAGE_BYTES) {
    throw DomainError.validation(`maxBytes must be a whole number of bytes >= ${MIN_USAGE_PAGE_BYTES}`);
  }
  return value;
}

/**
 * Request/reply for billing (PATTERNS.meteringMonthlyUsage): for a batch of accounts and a month,
 * every subscription with at least one day q(d) > 0, its days with q(d) > 0 and the products held
 * on each (R4.1, R4.2), in one round trip. The storage is read in two set queries for the whole
 * batch; `asOfRevision` says which writes the answer reflects (R6.2), unless the requester said
 * `withRevision: false` (the prepaid guard): then the read does not wait for writes in flight and
 * `asOfRevision` is null.
 *
 * With `maxBytes` the answer comes in pages of at most that many bytes (and at most `limitBytes`,
 * what the transport can carry): each page reads the accounts from the cursor `after` on and says
 * where the `next` page starts. Each page has its own `asOfRevision`; the requester keeps the lowest.
 */
export class GetMonthlyUsageUseCase {
  constructor(private readonly deps: MeteringDeps) {}

  async execute(
    request: { period?: unknown; accountIds?: unknown; maxBytes?: unknown; after?: unknown; withRevision?: unknown } | null | undefined,
    limitBytes = Number.POSITIVE_INFINITY,
  ): Promise<MonthlyUsageReply> {
    const period = billingCalendar.parsePeriod(request?.period, 'period');
    const accountIds = request?.accountIds;
    if (!Array.isArray(accountIds) || accountIds.length > MAX_MONTHLY_USAGE_ACCOUNTS || !accountIds.every(isValidClientId)) {
      throw DomainError.validation(`accountIds must be an array of at most ${MAX_MONTHLY_USAGE_ACCOUNTS} account ids`);
    }
    const maxBytes = parseMaxBytes(request?.maxBytes);
    const after = parseCursor(request?.after);
    const withRevision = parseWithRevision(request?.withRevision);
    // a page reads only the accounts from the cursor on
    const wanted = [...new Set(accountIds as string[])].filter((id) => after === undefined || id >= after.accountId);
    const days = periodDays(period);
    const { asOfRevision, subscriptions } = await this.deps.repository.pointsOfAccounts(wanted, days.starts[0], days.starts[days.dates.length], { withRevision });
    const used: SubscriptionUsageMessage[] = [];
    for (const subscription of subscriptions) {
      const daily = dailyUsageOfSegments(timelineSegments(subscription.points), days);
      if (daily.length > 0) used.push({ subscriptionId: subscription.subscriptionId, accountId: subscription.accountId, runs: toUsageRuns(daily) });
    }
    const answer: MonthlyUsageReply = { period: period.toString(), asOfRevision, subscriptions: used };
    return maxBytes === undefined ? answer : usagePage(answer, after, Math.min(maxBytes, limitBytes));
  }
}
