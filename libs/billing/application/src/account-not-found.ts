import { DomainError } from '@cec/kernel';

export function accountNotFound(accountId: string): DomainError {
  return DomainError.notFound('ACCOUNT_NOT_FOUND', `account "${accountId}" is not known to billing`);
}
