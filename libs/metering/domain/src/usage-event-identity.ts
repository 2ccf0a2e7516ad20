import { DateTime } from 'luxon';
import type { ValidUsageEvent } from './usage-event.validator';

/**
 * #8.6: refusal code of a usage event whose id is already stored (or earlier in the same batch)
 * with other content. Like a top-up reference: the same id with the same content is a duplicate
 * (R6.1, no effect), the same id with other content is refused, never silently dropped.
 */
export const EVENT_ID_CONFLICT = 'EVENT_ID_CONFLICT';

/**
 * R6.3 / #9.3: refusal code of a usage event whose subscription never became known to metering
 * within the parked-usage bound (the event was kept, "parked", until then).
 */
export const UNKNOWN_SUBSCRIPTION = 'UNKNOWN_SUBSCRIPTION';

/** The content that identifies a usage event, normalized: the instant to the second, the quantity a whole number. */
export type UsageEventContent = Pick<ValidUsageEvent, 'subscriptionId' | 'quantity' | 'at'>;

/** #8.6: whether two usage events with one id say the same thing (compared normalized). */
export function sameUsageEventContent(a: UsageEventContent, b: UsageEventContent): boolean {
  return a.subscriptionId === b.subscriptionId && Math.trunc(a.quantity) === Math.trunc(b.quantity) && Math.floor(a.at) === Math.floor(b.at);
}

/** #8.6: the sentence of an EVENT_ID_CONFLICT refusal, naming what differs. */
export function eventIdConflictMessage(id: string, stored: UsageEventContent, received: UsageEventContent): string {
  const differences: string[] = [];
  if (stored.subscriptionId !== received.subscriptionId) differences.push(`subscriptionId ${stored.subscriptionId} (received ${received.subscriptionId})`);
  if (Math.trunc(stored.quantity) !== Math.trunc(received.quantity)) differences.push(`quantity ${stored.quantity} (received ${received.quantity})`);
  if (Math.floor(stored.at) !== Math.floor(received.at)) {
    differences.push(`timestamp ${isoUtc(stored.at)} (received ${isoUtc(received.at)})`);
  }
  return `id ${id} was already used for another usage event: ${differences.join(', ')}; a usage event id may be used once`;
}

function isoUtc(at: number): string {
  return DateTime.fromSeconds(at, { zone: 'utc' }).toISO({ suppressMilliseconds: true }) ?? String(at);
}
