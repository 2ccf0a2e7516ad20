import { DomainError } from '@cec/kernel';
import { IngestUsageEventsUseCase, UsageEventRefusal } from './ingest-usage-events.use-case';

export const MAX_USAGE_EVENTS_PER_REQUEST = 1000;

export interface ReportUsageEventsResult {
  accepted: number;
  duplicates: number;
  rejected: UsageEventRefusal[];
}

/**
 * `POST /v1/usage-events`: a body `{events: [...]}` of 1 to 1000 events (otherwise 400 and nothing
 * stored). Each event is then accepted, a duplicate (R6.1), or refused with a reason and
 * dead-lettered (R6.3); an unknown subscription is refused at once (the caller may retry).
 */
export class ReportUsageEventsUseCase {
  constructor(private readonly ingest: IngestUsageEventsUseCase) {}

  async execute(body: unknown): Promise<ReportUsageEventsResult> {
    const events = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { events?: unknown }).events : undefined;
    if (!Array.isArray(events) || events.length < 1 || events.length > MAX_USAGE_EVENTS_PER_REQUEST) {
      throw DomainError.validation(`events must be an array of 1 to ${MAX_USAGE_EVENTS_PER_REQUEST} usage events`);
    }
    const result = await this.ingest.execute({ source: 'rest', items: events.map((payload: unknown) => ({ payload })) });
    return { accepted: result.accepted, duplicates: result.duplicates, rejected: result.rejected };
  }
}
