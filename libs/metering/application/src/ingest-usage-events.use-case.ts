import { EVENT_ID_CONFLICT, eventIdConflictMessage, periodKeyOf, sameUsageEventContent, USAGE_EVENT_REJECTION_CODES, validateUsageEvent, ValidUsageEvent } from '@cec/metering-domain';
import { IngestionSource, MeteringDeps, NewDeadLetter, StoredUsageEvent, UsageEventRow } from './metering.ports';

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
}

export interface IngestCommand {
  source: IngestionSource;
  items: readonly IngestItem[];
  /**
   * Whether refusals are dead-lettered (default true). A replay of a dead letter passes false:
   * the dead letter it replays is the record of the refusal.
   */
  deadLetterRefusals?: boolean;
}

export interface UsageEventRefusal {
  /** The event id when it is well formed, otherwise null. */
  id: string | null;
  code: string;
  message: string;
}

export type IngestOutcome =
  | { status: 'accepted'; id: string }
  | { status: 'parked'; id: string }
  | { status: 'duplicate'; id: string }
  | ({ status: 'rejected' } & UsageEventRefusal);

export interface IngestResult {
  /** One per item, in order. */
  outcomes: IngestOutcome[];
  /** Events stored now, parked ones included (they are kept and counted once their subscription is known). */
  accepted: number;
  /** Of `accepted`, the events parked: their subscription is not known to metering yet (#9.3). */
  parked: number;
  duplicates: number;
  rejected: UsageEventRefusal[];
}

/**
 * R6: stores a batch of usage events, from REST or from `usage.reported`. Each event is checked
 * (R6.3); the good ones are inserted in one statement where an id already stored is skipped (R6.1,
 * a unique key in the database) and compared with what is stored: other content under the same
 * id is refused EVENT_ID_CONFLICT (#8.6). An event for a subscription metering does not know yet
 * is parked, not refused (#9.3): it is counted from the moment `subscription.changed` records the
 * subscription, or dead-lettered UNKNOWN_SUBSCRIPTION after the parked-usage bound. The refused
 * ones go to the dead letters in the same transaction. A bad event never stops the good ones.
 */
export class IngestUsageEventsUseCase {
  constructor(private readonly deps: MeteringDeps) {}

  async execute(command: IngestCommand): Promise<IngestResult> {
    const { source, items } = command;
    const recordRefusals = command.deadLetterRefusals ?? true;
    const outcomes: Array<IngestOutcome | null> = items.map(() => null);
    const deadLetters: NewDeadLetter[] = [];
    const valid: Array<{ index: number; event: ValidUsageEvent }> = [];

    const deadLetterOf = (index: number, refusal: UsageEventRefusal): NewDeadLetter => {
      const item = items[index];
      return {
        kind: 'usage_event',
        eventId: refusal.id,
        source,
        code: refusal.code,
        message: refusal.message,
        payload: item.malformed ? item.malformed.text : item.payload,
        rawText: item.rawText ? item.rawText() : null,
        natsKey: item.natsKey ?? null,
      };
    };
    const refuse = (index: number, refusal: UsageEventRefusal): void => {
      outcomes[index] = { status: 'rejected', ...refusal };
      if (recordRefusals) deadLetters.push(deadLetterOf(index, refusal));
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

    // R6.1 inside one batch: the first event with an id is the one stored; a later one with the
    // same content is a duplicate, with other content it is refused (#8.6)
    const firstWithId = new Map<string, { index: number; event: ValidUsageEvent }>();
    const rows: UsageEventRow[] = [];
    for (const entry of valid) {
      const { index, event } = entry;
      const first = firstWithId.get(event.id);
      if (first) {
        if (sameUsageEventContent(first.event, event)) outcomes[index] = { status: 'duplicate', id: event.id };
        else refuse(index, { id: event.id, code: EVENT_ID_CONFLICT, message: eventIdConflictMessage(event.id, first.event, event) });
        continue;
      }
      firstWithId.set(event.id, entry);
      rows.push({ id: event.id, subscriptionId: event.subscriptionId, quantity: event.quantity, at: event.at, period: periodKeyOf(event.at) });
    }

    const conflictDeadLetter = (row: UsageEventRow, stored: StoredUsageEvent): NewDeadLetter => {
      const first = firstWithId.get(row.id);
      const index = first ? first.index : 0;
      return deadLetterOf(index, { id: row.id, code: EVENT_ID_CONFLICT, message: eventIdConflictMessage(row.id, stored, row) });
    };
    const written =
      rows.length > 0 || deadLetters.length > 0
        ? await this.deps.repository.writeUsageBatch({
            events: rows,
            source,
            deadLetters,
            // a replay reports a conflict without a second dead letter (see deadLetterRefusals)
            conflictDeadLetter: recordRefusals ? conflictDeadLetter : () => null,
            receivedAt: this.deps.clock.now(),
          })
        : { inserted: new Set<string>(), parked: new Set<string>(), conflicts: new Map<string, StoredUsageEvent>() };
    for (const [id, { index, event }] of firstWithId) {
      const stored = written.conflicts.get(id);
      if (stored) outcomes[index] = { status: 'rejected', id, code: EVENT_ID_CONFLICT, message: eventIdConflictMessage(id, stored, event) };
      else if (written.parked.has(id)) outcomes[index] = { status: 'parked', id };
      else if (written.inserted.has(id)) outcomes[index] = { status: 'accepted', id };
      else outcomes[index] = { status: 'duplicate', id };
    }

    const result: IngestResult = { outcomes: outcomes as IngestOutcome[], accepted: 0, parked: 0, duplicates: 0, rejected: [] };
    for (const outcome of result.outcomes) {
      if (outcome.status === 'accepted') result.accepted++;
      else if (outcome.status === 'parked') {
        result.accepted++;
        result.parked++;
      } else if (outcome.status === 'duplicate') result.duplicates++;
      else result.rejected.push({ id: outcome.id, code: outcome.code, message: outcome.message });
    }
    return result;
  }
}
