import { DomainError } from '@cec/kernel';
import type { DeadLetterRepository, DeadLetterView } from './billing.ports';

/** `GET /v1/dead-letters?limit=`: messages billing's consumers could not use, newest first (#9.8). */
export class ListDeadLettersUseCase {
  constructor(private readonly deadLetters: DeadLetterRepository) {}

  async execute(query: { limit?: unknown }): Promise<DeadLetterView[]> {
    let limit = 100;
    if (query.limit !== undefined && query.limit !== '') {
      const value = Number(query.limit);
      if (typeof query.limit !== 'string' || !/^\d+$/.test(query.limit) || value < 1 || value > 1000) {
        throw DomainError.validation('limit must be a whole number from 1 to 1000');
      }
      limit = value;
    }
    return this.deadLetters.list(limit);
  }
}
