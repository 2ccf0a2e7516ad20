/**
 * Errors raised by domain and application code. Each code belongs to one kind; every transport
 * (REST filter, NATS dead letters) maps the kind, never the class of the thrower.
 */
export type ErrorKind = 'validation' | 'not_found' | 'conflict' | 'unauthorized' | 'unavailable';

export const ERROR_CODES = {
  VALIDATION_FAILED: 'validation',
  UNSUPPORTED_BILLING_MODE: 'validation',
  UNAUTHORIZED: 'unauthorized',
  NOT_FOUND: 'not_found',
  PRODUCT_NOT_FOUND: 'not_found',
  ACCOUNT_NOT_FOUND: 'not_found',
  SUBSCRIPTION_NOT_FOUND: 'not_found',
  DEAD_LETTER_NOT_FOUND: 'not_found',
  BILL_NOT_FOUND: 'not_found',
  BILLING_RUN_NOT_FOUND: 'not_found',
  PRODUCT_CODE_EXISTS: 'conflict',
  PRICE_VERSION_EXISTS: 'conflict',
  ACCOUNT_EXISTS: 'conflict',
  SUBSCRIPTION_NOT_ACTIVE: 'conflict',
  CHANGE_BEFORE_LAST_CHANGE: 'conflict',
  DISCOUNT_OVERLAP: 'conflict',
  PERIOD_NOT_ENDED: 'conflict',
  TOP_UP_REFERENCE_CONFLICT: 'conflict',
  PRICE_NOT_FOUND: 'conflict',
  SUBSCRIPTION_EXISTS: 'conflict',
  /** Another change was committed since the aggregate was read (optimistic locking). */
  CONCURRENT_MODIFICATION: 'conflict',
  /** A billing run that is not running cannot be cancelled. */
  BILLING_RUN_NOT_RUNNING: 'conflict',
  /** Only a run that completed with failures has failed accounts to retry. */
  BILLING_RUN_HAS_NO_FAILURES: 'conflict',
  /** Another run of the same period is running (one running run per period). */
  BILLING_RUN_IN_PROGRESS: 'conflict',
  /** The catalog did not answer a request/reply call in time (or answered nonsense). */
  CATALOG_UNAVAILABLE: 'unavailable',
  /** Billing's account mirror has not caught up with the accounts announced to it (#9.4). */
  ACCOUNTS_NOT_CAUGHT_UP: 'unavailable',
  /** Issue 10: an upcoming bill of a month the account was already billed for (read the bill). */
  PERIOD_ALREADY_BILLED: 'conflict',
  /** Issue 10: an upcoming bill of a month that has not begun (UTC+8). */
  PERIOD_NOT_STARTED: 'conflict',
  /** Issue 10: the account's usage cannot be rated now (e.g. a day's data refused); nothing stored. */
  BILL_NOT_RATABLE: 'conflict',
  /** Issue 10: a bill issued before its inputs were kept cannot be explained. */
  BILL_INPUT_NOT_KEPT: 'not_found',
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class DomainError extends Error {
  readonly kind: ErrorKind;

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
    this.kind = ERROR_CODES[code];
  }

  static validation(message: string): DomainError {
    return new DomainError('VALIDATION_FAILED', message);
  }

  static notFound(code: ErrorCode, message: string): DomainError {
    return new DomainError(code, message);
  }
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}
