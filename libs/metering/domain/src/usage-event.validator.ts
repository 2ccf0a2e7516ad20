import { BillingCalendar, billingCalendar, isDomainError, isValidClientId, MAX_QUANTITY, quantityProblem } from '@cec/kernel';
import { fastInstantSeconds } from './fast-instant';

/**
 * R6.3: the reasons a usage event is refused. `VALIDATION_FAILED` is decided here, from the event
 * alone; `UNKNOWN_SUBSCRIPTION` needs the database, so the caller decides it (see
 * {@link unknownSubscriptionRejection}) and records both in the dead letters.
 */
export const USAGE_EVENT_REJECTION_CODES = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  UNKNOWN_SUBSCRIPTION: 'UNKNOWN_SUBSCRIPTION',
} as const;

export type UsageEventRejectionCode = (typeof USAGE_EVENT_REJECTION_CODES)[keyof typeof USAGE_EVENT_REJECTION_CODES];

/**
 * #8.5: the largest quantity a usage event may report: the platform's one limit (the kernel's
 * MAX_QUANTITY), the same a subscription may hold; above it the event is refused and dead-lettered.
 */
export const MAX_USAGE_QUANTITY = MAX_QUANTITY;

/** A usage event that passed R6.3: `at` is the event instant in epoch seconds (R2.2: to the second). */
export interface ValidUsageEvent {
  id: string;
  subscriptionId: string;
  quantity: number;
  at: number;
}

export interface UsageEventAccepted {
  ok: true;
  event: ValidUsageEvent;
}

export interface UsageEventRejected {
  ok: false;
  /** The event's id when it is a well-formed id, otherwise null (it cannot be trusted as a key). */
  id: string | null;
  code: UsageEventRejectionCode;
  /** A human sentence that names the field at fault. */
  message: string;
}

export type UsageEventValidation = UsageEventAccepted | UsageEventRejected;

function rejected(id: string | null, message: string, code: UsageEventRejectionCode = USAGE_EVENT_REJECTION_CODES.VALIDATION_FAILED): UsageEventRejected {
  return { ok: false, id, code, message };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * R6.3: checks an untrusted `usage.reported` payload ({ id, subscriptionId, quantity, timestamp }).
 * Never throws; the first fault found is reported, in the order id, subscriptionId, quantity,
 * timestamp. Fields other than these four are ignored.
 *
 * - `id`: a client id (`isValidClientId`: 1-128 of letters, digits, `.`, `_`, `:`, `-`).
 * - `subscriptionId`: present, same id syntax. Whether it exists is the caller's check.
 * - `quantity`: a JSON number that is a whole number in [0, {@link MAX_USAGE_QUANTITY}]; strings,
 *   NaN, infinities, negatives and fractions are refused.
 * - `timestamp`: ISO-8601 with an offset (R2.2), in a billable month (1970 onwards); fractions of a
 *   second are dropped.
 */
export function validateUsageEvent(input: unknown, calendar: BillingCalendar = billingCalendar): UsageEventValidation {
  if (!isRecord(input)) {
    return rejected(null, 'usage event must be an object with id, subscriptionId, quantity and timestamp');
  }
  const { id, subscriptionId, quantity, timestamp } = input;

  if (id === undefined || id === null || id === '') {
    return rejected(null, 'id is required');
  }
  if (!isValidClientId(id)) {
    return rejected(null, 'id must be 1 to 128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit');
  }
  if (subscriptionId === undefined || subscriptionId === null || subscriptionId === '') {
    return rejected(id, 'subscriptionId is required');
  }
  if (!isValidClientId(subscriptionId)) {
    return rejected(id, 'subscriptionId is not a valid subscription id');
  }
  if (quantity === undefined || quantity === null) {
    return rejected(id, 'quantity is required');
  }
  const quantityFault = quantityProblem(quantity);
  if (quantityFault !== null || typeof quantity !== 'number') {
    return rejected(id, `quantity ${quantityFault ?? 'must be a number'}`);
  }
  if (timestamp === undefined || timestamp === null || timestamp === '') {
    return rejected(id, 'timestamp is required');
  }
  // the common form is read without the calendar (ingestion's hot path); anything else, and every
  // refusal, goes through the calendar
  const fast = typeof timestamp === 'string' && calendar === billingCalendar ? fastInstantSeconds(timestamp) : null;
  if (fast !== null) {
    return { ok: true, event: { id, subscriptionId, quantity: quantity === 0 ? 0 : quantity, at: fast } };
  }
  let at: number;
  try {
    const instant = calendar.parseInstant(timestamp, 'timestamp');
    calendar.periodOf(instant); // refuses instants in no billable month (before 1970 in UTC+8)
    at = instant.toSeconds();
  } catch (error: unknown) {
    if (isDomainError(error)) {
      return rejected(id, error.code === 'VALIDATION_FAILED' && error.message.startsWith('timestamp') ? error.message : `timestamp is out of range: ${error.message}`);
    }
    throw error;
  }
  if (!Number.isSafeInteger(at)) {
    return rejected(id, 'timestamp is out of range');
  }
  return { ok: true, event: { id, subscriptionId, quantity: quantity === 0 ? 0 : quantity, at } };
}

/** R6.3: the refusal the caller records when a valid event names a subscription it does not know. */
export function unknownSubscriptionRejection(event: Pick<ValidUsageEvent, 'id' | 'subscriptionId'>): UsageEventRejected {
  return rejected(event.id, `subscriptionId ${event.subscriptionId} is not a known subscription`, USAGE_EVENT_REJECTION_CODES.UNKNOWN_SUBSCRIPTION);
}
