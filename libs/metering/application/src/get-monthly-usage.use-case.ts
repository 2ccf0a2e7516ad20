import { billingCalendar, DomainError, isValidClientId } from '@cec/kernel';
import { toUsageRuns, type MonthlyUsageReply, type SubscriptionUsageMessage } from '@cec/contracts';
import { dailyUsageOfSegments, periodDays, timelineSegments } from '@cec/metering-domain';
import { MeteringDeps } from './metering.ports';

export const MAX_MONTHLY_USAGE_ACCOUNTS = 5000;

/**
 * Request/reply for billing (PATTERNS.meteringMonthlyUsage): for a batch of accounts and a month,
 * every subscription with at least one day q(d) > 0, its days with q(d) > 0 and the products held
 * on each (R4.1, R4.2), in one round trip. The storage is read in two set queries for the whole
 * batch; `asOfRevision` says which writes the answer reflects (R6.2).
 */
export class GetMonthlyUsageUseCase {
  constructor(private readonly deps: MeteringDeps) {}

  async execute(request: { period?: unknown; accountIds?: unknown } | null | undefined): Promise<MonthlyUsageReply> {
    const period = billingCalendar.parsePeriod(request?.period, 'period');
    const accountIds = request?.accountIds;
    if (!Array.isArray(accountIds) || accountIds.length > MAX_MONTHLY_USAGE_ACCOUNTS || !accountIds.every(isValidClientId)) {
      throw DomainError.validation(`accountIds must be an array of at most ${MAX_MONTHLY_USAGE_ACCOUNTS} account ids`);
    }
    const days = periodDays(period);
    const { asOfRevision, subscriptions } = await this.deps.repository.pointsOfAccounts([...new Set(accountIds as string[])], days.starts[0], days.starts[days.dates.length]);
    const used: SubscriptionUsageMessage[] = [];
    for (const subscription of subscriptions) {
      const daily = dailyUsageOfSegments(timelineSegments(subscription.points), days);
      if (daily.length > 0) used.push({ subscriptionId: subscription.subscriptionId, accountId: subscription.accountId, runs: toUsageRuns(daily) });
    }
    return { period: period.toString(), asOfRevision, subscriptions: used };
  }
}
