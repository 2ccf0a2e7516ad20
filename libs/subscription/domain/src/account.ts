import { DateTime } from 'luxon';
import { billingCalendar, Currency, DomainError, newId } from '@cec/kernel';
import type { AccountCreatedEvent } from '@cec/contracts';
import { normaliseInstant, parseClientId } from './subscription.rules';

/** Longest account name, after trimming. */
export const MAX_ACCOUNT_NAME_LENGTH = 200;

/** R3.1: an enterprise account. Every account bills in USD. */
export interface Account {
  readonly id: string;
  readonly name: string;
  readonly currency: Currency;
  readonly createdAt: DateTime;
}

export interface CreateAccountInput {
  /** A client-chosen id; the server chooses one (`acc_…`) when absent. */
  readonly id?: string;
  readonly name: string;
}

/** R8.1: a trimmed, non-empty name of at most {@link MAX_ACCOUNT_NAME_LENGTH} characters. */
export function parseAccountName(value: unknown, field = 'name'): string {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  if (trimmed.length === 0) {
    throw DomainError.validation(`${field} must be a non-empty string`);
  }
  if (trimmed.length > MAX_ACCOUNT_NAME_LENGTH) {
    throw DomainError.validation(`${field} must be at most ${MAX_ACCOUNT_NAME_LENGTH} characters`);
  }
  return trimmed;
}

/**
 * Creates an account at `now`. Validates its input whatever its static type says, so that a
 * caller handing over a raw request body still gets R8.1 errors.
 */
export function createAccount(input: CreateAccountInput, now: DateTime): Account {
  const name = parseAccountName(input.name);
  const id = input.id === undefined ? newId('acc') : parseClientId(input.id, 'id');
  return Object.freeze({ id, name, currency: 'USD', createdAt: normaliseInstant(now, 'createdAt') });
}

/** `subscription.account.created` for an account. */
export function toAccountCreatedEvent(account: Account, eventId: string, occurredAt: DateTime): AccountCreatedEvent {
  return {
    id: eventId,
    occurredAt: billingCalendar.formatInstant(occurredAt.startOf('second')),
    accountId: account.id,
    name: account.name,
    currency: account.currency,
  };
}
