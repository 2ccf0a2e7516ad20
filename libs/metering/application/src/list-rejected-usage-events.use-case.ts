import { DomainError } from '@cec/kernel';
import { DeadLetterRecord, MeteringDeps } from './metering.ports';

export const DEFAULT_REJECTED_LIMIT = 100;
export const MAX_REJECTED_LIMIT = 1000;

/** `GET /v1/usage-events/rejected` (R6.3): the usage-event dead letters, newest first. */
export class ListRejectedUsageEventsUseCase {
  constructor(private readonly deps: MeteringDeps) {}

  async execute(query: { limit?: unknown } = {}): Promise<DeadLetterRecord[]> {
    let limit = DEFAULT_REJECTED_LIMIT;
    if (query.limit !== undefined && query.limit !== '') {
      const raw = query.limit;
      limit = typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : typeof raw === 'number' ? raw : Number.NaN;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_REJECTED_LIMIT) {
        throw DomainError.validation(`limit must be a whole number from 1 to ${MAX_REJECTED_LIMIT}`);
      }
    }
    return this.deps.repository.listDeadLetters('usage_event', limit);
  }
}
