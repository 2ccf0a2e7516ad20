import { newId } from '@cec/kernel';
import { Account, createAccount, CreateAccountCommand, toAccountCreatedEvent } from '@cec/subscription-domain';
import type { SubscriptionDeps } from './subscription.ports';

/** `POST /v1/accounts`: stores the account and publishes `subscription.account.created` (outbox). */
export class CreateAccountUseCase {
  constructor(private readonly deps: SubscriptionDeps) {}

  async execute(command: CreateAccountCommand): Promise<Account> {
    const now = this.deps.clock.now();
    const account = createAccount(command, now);
    await this.deps.accounts.create(account, toAccountCreatedEvent(account, newId('evt'), now));
    return account;
  }
}
