import { billingCalendar, DomainError, isValidClientId } from '@cec/kernel';
import { dailyUsageOfSegments, periodDays, timelineSegments } from '@cec/metering-domain';
import { MeteringDeps } from './metering.ports';

export interface DailyUsageView {
  subscriptionId: string;
  period: string;
  /** Every day of the month in order, days with nothing in force included (quantity 0). */
  days: Array<{ date: string; quantity: number }>;
  /** R4.4: the sum of q(d). */
  quantityDays: number;
}

/**
 * `GET /v1/usage?subscriptionId=&period=`: the daily quantities q(d) of R4.1 for one subscription
 * and month, in the billing calendar (UTC+8). 400 for a bad period, 404 for an unknown subscription.
 */
export class GetDailyUsageUseCase {
  constructor(private readonly deps: MeteringDeps) {}

  async execute(query: { subscriptionId: unknown; period: unknown }): Promise<DailyUsageView> {
    if (query.subscriptionId === undefined || query.subscriptionId === null || query.subscriptionId === '') {
      throw DomainError.validation('subscriptionId is required');
    }
    if (!isValidClientId(query.subscriptionId)) {
      throw DomainError.validation('subscriptionId is not a valid subscription id');
    }
    const period = billingCalendar.parsePeriod(query.period, 'period');
    const subscriptionId = query.subscriptionId;
    const subscription = await this.deps.repository.findSubscription(subscriptionId);
    if (!subscription) {
      throw DomainError.notFound('SUBSCRIPTION_NOT_FOUND', `subscription "${subscriptionId}" is not known to metering`);
    }
    const days = periodDays(period);
    const [found] = await this.deps.repository.pointsOfSubscriptions([subscriptionId], days.starts[0], days.starts[days.dates.length]);
    const used = new Map(dailyUsageOfSegments(timelineSegments(found?.points ?? []), days).map((day) => [day.date, day.quantity]));
    const all = days.dates.map((date) => ({ date, quantity: used.get(date) ?? 0 }));
    return { subscriptionId, period: period.toString(), days: all, quantityDays: all.reduce((sum, day) => sum + day.quantity, 0) };
  }
}
