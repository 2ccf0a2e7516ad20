import { DomainError } from '@cec/kernel';
import { IngestUsageEventsUseCase, UsageEventRefusal } from './ingest-usage-events.use-case';

export const MAX_USAGE_EVENTS_PER_REQUEST = 1000;

export interface ReportUsageEventsResult {
  /** Events stored now, parked ones included. */
  accepted: number;
  /** Of `accepted`, those parked: their subscription is not known yet; counted once it is (#9.3). */
  parked: number;
  duplicates: number;
  rejected: UsageEventRefusal[];
}

/**
 * `POST /v1/usage-events`: a body `{events: [...]}` of 1 to 1000 events (otherwise 400 and nothing
 * stored). Each event is then accepted, a duplicate (R6.1), or refused with a reason and
 * dead-lettered (R6.3). An event for a subscription metering does not know yet is accepted and
 * parked (#9.3), and counted as soon as the subscription is known.
 */
export class ReportUsageEventsUseCase {
  constructor(private readonly ingest: IngestUsageEventsUseCase) {}

  async execute(body: unknown): Promise<ReportUsageEventsResult> {
    const events = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { events?: unknown }).events : undefined;
    if (!Array.isArray(events) || events.length < 1 || events.length > MAX_USAGE_EVENTS_PER_REQUEST) {
      throw DomainError.validation(`events must be an array of 1 to ${MAX_USAGE_EVENTS_PER_REQUEST} usage events`);
    }
    const result = await this.ingest.execute({ source: 'rest', items: events.map((payload: unknown) => ({ payload })) });
    return { accepted: result.accepted, parked: result.parked, duplicates: result.duplicates, rejected: result.rejected };
  }
}
