import { BillingCalendar, billingCalendar } from '@cec/kernel';
import { SubscriptionStatePoint, TimelineStatus, UsagePoint } from './usage-timeline';
import { ValidUsageEvent } from './usage-event.validator';

/** The fields of a `subscription.changed` event that the timeline needs. */
export interface SubscriptionChangeFields {
  effectiveAt: string;
  sequence: number;
  productCode: string;
  quantity: number;
  status: TimelineStatus;
}

/** A state point from a subscription change; `effectiveAt` is parsed with the billing calendar (R2.2). */
export function subscriptionStatePoint(change: SubscriptionChangeFields, calendar: BillingCalendar = billingCalendar): SubscriptionStatePoint {
  return {
    kind: 'state',
    at: calendar.parseInstant(change.effectiveAt, 'effectiveAt').toSeconds(),
    status: change.status,
    productCode: change.productCode,
    quantity: change.quantity,
    sequence: change.sequence,
  };
}

/** A usage point from a validated usage event (R3.4, R6). */
export function usagePoint(event: Pick<ValidUsageEvent, 'id' | 'quantity' | 'at'>): UsagePoint {
  return { kind: 'usage', at: event.at, quantity: event.quantity, eventId: event.id };
}
