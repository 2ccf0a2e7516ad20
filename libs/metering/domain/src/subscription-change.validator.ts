import { BillingCalendar, billingCalendar, isDomainError, isValidClientId, MAX_QUANTITY } from '@cec/kernel';
import { EpochSeconds, SubscriptionStatePoint, TimelineStatus } from './usage-timeline';

/**
 * A `subscription.changed` event (published by the subscription app) as metering keeps it: the
 * subscription's identity and the state point it adds to the timeline (R3.2, R3.5).
 */
export interface ValidSubscriptionChange {
  eventId: string;
  subscriptionId: string;
  accountId: string;
  /** `enabled`, `quantity_changed`, … as published; informative only. */
  kind: string;
  point: SubscriptionStatePoint;
}

export interface SubscriptionChangeAccepted {
  ok: true;
  change: ValidSubscriptionChange;
}

export interface SubscriptionChangeRejected {
  ok: false;
  /** The event id when it is a well-formed id, otherwise null. */
  id: string | null;
  code: 'VALIDATION_FAILED';
  message: string;
}

export type SubscriptionChangeValidation = SubscriptionChangeAccepted | SubscriptionChangeRejected;

const STATUSES: readonly TimelineStatus[] = ['active', 'cancelled'];

function refuse(id: string | null, message: string): SubscriptionChangeRejected {
  return { ok: false, id, code: 'VALIDATION_FAILED', message };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks an untrusted `subscription.changed` payload for the fields the timeline needs: `id`,
 * `subscriptionId`, `accountId` (client-id syntax), `sequence` (a whole number >= 1),
 * `effectiveAt` (ISO-8601 with an offset, R2.2, kept to the second), `productCode` (non-empty),
 * `quantity` (a whole number >= 0) and `status` (`active` | `cancelled`). Other fields are ignored.
 * Never throws.
 */
export function validateSubscriptionChange(input: unknown, calendar: BillingCalendar = billingCalendar): SubscriptionChangeValidation {
  if (!isRecord(input)) {
    return refuse(null, 'subscription.changed event must be an object');
  }
  const { id, subscriptionId, accountId, sequence, effectiveAt, productCode, quantity, status, kind } = input;
  if (!isValidClientId(id)) {
    return refuse(null, 'id is required and must be a valid event id');
  }
  if (!isValidClientId(subscriptionId)) {
    return refuse(id, 'subscriptionId is required and must be a valid subscription id');
  }
  if (!isValidClientId(accountId)) {
    return refuse(id, 'accountId is required and must be a valid account id');
  }
  if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 1 || sequence > 2_147_483_647) {
    return refuse(id, 'sequence must be a whole number >= 1');
  }
  if (typeof productCode !== 'string' || productCode.length === 0 || productCode.length > 63) {
    return refuse(id, 'productCode is required');
  }
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 0 || quantity > MAX_QUANTITY) {
    return refuse(id, `quantity must be a whole number >= 0 and at most ${MAX_QUANTITY}`);
  }
  if (typeof status !== 'string' || !(STATUSES as readonly string[]).includes(status)) {
    return refuse(id, 'status must be active or cancelled');
  }
  let at: EpochSeconds;
  try {
    const instant = calendar.parseInstant(effectiveAt, 'effectiveAt');
    calendar.periodOf(instant);
    at = instant.toSeconds();
  } catch (error: unknown) {
    if (isDomainError(error)) return refuse(id, error.message.startsWith('effectiveAt') ? error.message : `effectiveAt is out of range: ${error.message}`);
    throw error;
  }
  return {
    ok: true,
    change: {
      eventId: id,
      subscriptionId,
      accountId,
      kind: typeof kind === 'string' ? kind.slice(0, 32) : 'changed',
      point: { kind: 'state', at, status: status as TimelineStatus, productCode, quantity: quantity === 0 ? 0 : quantity, sequence },
    },
  };
}
