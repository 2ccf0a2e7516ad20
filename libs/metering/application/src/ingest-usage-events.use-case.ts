import { periodKeyOf, unknownSubscriptionRejection, USAGE_EVENT_REJECTION_CODES, validateUsageEvent, ValidUsageEvent } from '@cec/metering-domain';
import { IngestionSource, MeteringDeps, NewDeadLetter, UsageEventRow } from './metering.ports';

/** One received usage event, as the transport decoded it. */
export interface IngestItem {
  /** The decoded JSON value (ignored when `malformed` is set). */
  payload: unknown;
  /** Set when the bytes were not JSON: why, and the text to keep in the dead letter. */
  malformed?: { reason: string; text: string };
  /** NATS: the stream message's key, so that a redelivered refusal is dead-lettered once. */
  natsKey?: string | null;
  /** NATS: the message's text, read only if the event is refused (see NewDeadLetter.rawText). */
  rawText?: () => string;
  /**
   * NATS: the subscription may not be known *yet* (`subscription.changed` can arrive a little
   * after the usage). When set, an unknown subscription is `deferred` (the caller redelivers it
   * later) instead of refused.
   */
  mayDeferUnknownSubscription?: boolean;
}

export interface IngestCommand {
  source: IngestionSource;
  items: readonly IngestItem[];
}

export interface UsageEventRefusal {
  /** The event id when it is well formed, otherwise null. */
  id: string | null;
  code: string;
  message: string;
}

export type IngestOutcome =
  | { status: 'accepted'; id: string }
  | { status: 'duplicate'; id: string }
  | ({ status: 'rejected' } & UsageEventRefusal)
  | { status: 'deferred'; id: string };

export interface IngestResult {
  /** One per item, in order. */
  outcomes: IngestOutcome[];
  accepted: number;
  duplicates: number;
  rejected: UsageEventRefusal[];
  deferred: number;
}

/**
 * R6: stores a batch of usage events, from REST or from `usage.reported`. Each event is checked
 * (R6.3); the good ones for known subscriptions are inserted in one statement where an id already
 * stored is skipped (R6.1, a unique key in the database); the refused ones go to the dead letters
 * in the same transaction. A bad event never stops the good ones.
 */
export class IngestUsageEventsUseCase {
  constructor(private readonly deps: MeteringDeps) {}

  async execute(command: IngestCommand): Promise<IngestResult> {
    const { source, items } = command;
    const outcomes: Array<IngestOutcome | null> = items.map(() => null);
    const deadLetters: NewDeadLetter[] = [];
    const valid: Array<{ index: number; event: ValidUsageEvent }> = [];

    const refuse = (index: number, refusal: UsageEventRefusal): void => {
      outcomes[index] = { status: 'rejected', ...refusal };
      const item = items[index];
      deadLetters.push({
        kind: 'usage_event',
        eventId: refusal.id,
        source,
        code: refusal.code,
        message: refusal.message,
        payload: item.malformed ? item.malformed.text : item.payload,
        rawText: item.rawText ? item.rawText() : null,
        natsKey: item.natsKey ?? null,
      });
    };

    items.forEach((item, index) => {
      if (item.malformed) {
        refuse(index, { id: null, code: USAGE_EVENT_REJECTION_CODES.VALIDATION_FAILED, message: `usage event is not valid JSON: ${item.malformed.reason}` });
        return;
      }
      const result = validateUsageEvent(item.payload);
      if (result.ok) valid.push({ index, event: result.event });
      else refuse(index, { id: result.id, code: result.code, message: result.message });
    });

    const known = valid.length > 0 ? await this.deps.repository.knownSubscriptionIds([...new Set(valid.map((entry) => entry.event.subscriptionId))]) : new Set<string>();

    // R6.1 inside one batch: the first event with an id is the one stored, later ones are duplicates
    const firstWithId = new Map<string, number>();
    const rows: UsageEventRow[] = [];
    for (const { index, event } of valid) {
      if (!known.has(event.subscriptionId)) {
        if (items[index].mayDeferUnknownSubscription) outcomes[index] = { status: 'deferred', id: event.id };
        else refuse(index, unknownSubscriptionRejection(event));
        continue;
      }
      if (firstWithId.has(event.id)) {
        outcomes[index] = { status: 'duplicate', id: event.id };
        continue;
      }
      firstWithId.set(event.id, index);
      rows.push({ id: event.id, subscriptionId: event.subscriptionId, quantity: event.quantity, at: event.at, period: periodKeyOf(event.at) });
    }

    const inserted = rows.length > 0 || deadLetters.length > 0 ? await this.deps.repository.writeUsageBatch({ events: rows, deadLetters, receivedAt: this.deps.clock.now() }) : new Set<string>();
    for (const [id, index] of firstWithId) {
      outcomes[index] = inserted.has(id) ? { status: 'accepted', id } : { status: 'duplicate', id };
    }

    const result: IngestResult = { outcomes: outcomes as IngestOutcome[], accepted: 0, duplicates: 0, rejected: [], deferred: 0 };
    for (const outcome of result.outcomes) {
      if (outcome.status === 'accepted') result.accepted++;
      else if (outcome.status === 'duplicate') result.duplicates++;
      else if (outcome.status === 'deferred') result.deferred++;
      else result.rejected.push({ id: outcome.id, code: outcome.code, message: outcome.message });
    }
    return result;
  }
}
