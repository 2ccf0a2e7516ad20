import { DomainError } from '@cec/kernel';
import type { DeadLetterRepository, DeadLetterView } from './billing.ports';

/** The most dead letters one `GET /v1/dead-letters` lists. */
export const MAX_DEAD_LETTER_LIMIT = 1000;
const DEFAULT_DEAD_LETTER_LIMIT = 100;

/** `GET /v1/dead-letters?limit=`: messages billing's consumers could not use, newest first (#9.8). */
export class ListDeadLettersUseCase {
  constructor(private readonly deadLetters: DeadLetterRepository) {}

  async execute(query: { limit?: number }): Promise<DeadLetterView[]> {
    const limit = query.limit ?? DEFAULT_DEAD_LETTER_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_DEAD_LETTER_LIMIT) {
      throw DomainError.validation(`limit must be a whole number from 1 to ${MAX_DEAD_LETTER_LIMIT}`);
    }
    return this.deadLetters.list(limit);
  }
}
