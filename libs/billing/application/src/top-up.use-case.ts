import { DomainError, isValidClientId, Money } from '@cec/kernel';
import type { BillingDeps, TopUpAnswer } from './billing.ports';
import { accountNotFound } from './account-not-found';

export interface TopUpCommand {
  amount: unknown;
  reference: unknown;
}

/**
 * POST /v1/accounts/:id/top-ups (R7.5): credits the balance, then settles outstanding bills oldest
 * first. The reference is unique per account (a database key): the same one again answers the
 * first answer; with another amount it is refused.
 */
export class TopUpUseCase {
  constructor(private readonly deps: BillingDeps) {}

  async execute(accountId: string, command: TopUpCommand): Promise<{ created: boolean; answer: TopUpAnswer }> {
    const amount = Money.parse(command.amount, 'amount');
    if (!amount.isPositive()) throw DomainError.validation('amount must be greater than 0.00');
    if (!isValidClientId(command.reference)) {
      throw DomainError.validation('reference must be 1-128 characters: letters, digits, ".", "_", ":" or "-"');
    }
    return this.deps.topUps.apply({ accountId, reference: command.reference, amount, at: this.deps.clock.now() });
  }
}

export { accountNotFound };
