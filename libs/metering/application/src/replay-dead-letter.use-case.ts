import { DomainError } from '@cec/kernel';
import { IngestItem, IngestUsageEventsUseCase } from './ingest-usage-events.use-case';
import { DeadLetterRecord, MeteringDeps, ReplayOutcomeStatus } from './metering.ports';

/** A dead letter's id as written in a path: the decimal digits of a bigserial. */
export function parseDeadLetterId(raw: unknown): string {
  if (typeof raw !== 'string' || !/^[1-9]\d{0,17}$/.test(raw)) {
    throw DomainError.validation('id must be the id of a dead letter: a whole number from 1, as listed by GET /v1/usage-events/rejected');
  }
  return raw;
}

/** `GET /v1/usage-events/rejected/:id`: one usage-event dead letter, with its replay state. */
export class GetRejectedUsageEventUseCase {
  constructor(private readonly deps: MeteringDeps) {}

  async execute(rawId: unknown): Promise<DeadLetterRecord> {
    const id = parseDeadLetterId(rawId);
    const found = await this.deps.repository.findDeadLetter('usage_event', id);
    if (!found) throw DomainError.notFound('DEAD_LETTER_NOT_FOUND', `no usage-event dead letter has id ${id}`);
    return found;
  }
}

export interface ReplayResult {
  /** What the replay did with the event: stored now, already stored, parked, or refused again. */
  outcome: ReplayOutcomeStatus;
  /** The refusal when `outcome` is `rejected` (then the dead letter stays as it was). */
  code: string | null;
  message: string | null;
  deadLetter: DeadLetterRecord;
}

/**
 * `POST /v1/usage-events/rejected/:id/replay` (#9.3): feeds the stored payload of a usage-event
 * dead letter through the same idempotent ingestion as REST and NATS. When the event is then
 * stored (accepted or parked) or found already stored with the same content (duplicate), the dead
 * letter is marked replayed (never deleted; the first replay's time and outcome are kept). A
 * refusal is answered with its code and leaves no second dead letter. Replaying again is a
 * duplicate: idempotent.
 */
export class ReplayDeadLetterUseCase {
  constructor(
    private readonly deps: MeteringDeps,
    private readonly ingest: IngestUsageEventsUseCase,
  ) {}

  async execute(rawId: unknown): Promise<ReplayResult> {
    const id = parseDeadLetterId(rawId);
    const letter = await this.deps.repository.findDeadLetter('usage_event', id);
    if (!letter) throw DomainError.notFound('DEAD_LETTER_NOT_FOUND', `no usage-event dead letter has id ${id}`);
    const result = await this.ingest.execute({ source: letter.source, items: [itemOf(letter.payload)], deadLetterRefusals: false });
    const outcome = result.outcomes[0];
    if (outcome.status === 'rejected') {
      return { outcome: 'rejected', code: outcome.code, message: outcome.message, deadLetter: letter };
    }
    const marked = await this.deps.repository.markDeadLetterReplayed(id, outcome.status, this.deps.clock.now());
    return { outcome: outcome.status, code: null, message: null, deadLetter: marked ?? letter };
  }
}

/** A dead letter keeps the decoded event, or the text received when it was not JSON (a JSON string). */
function itemOf(payload: unknown): IngestItem {
  if (typeof payload !== 'string') return { payload };
  try {
    return { payload: JSON.parse(payload) as unknown };
  } catch (error) {
    return { payload: undefined, malformed: { reason: error instanceof Error ? error.message : String(error), text: payload } };
  }
}
