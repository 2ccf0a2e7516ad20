import { ERROR_CODES, ErrorKind, isDomainError } from './domain-error';

/**
 * Errors between apps (request/reply) and from the infrastructure, classified in ONE place:
 * `retryable` (the other side or a connection is unavailable, timed out, or failed on its side:
 * try again later, with backoff) or permanent (the same request will fail the same way: a 4xx-kind
 * code, data that cannot be rated or stored, a numeric overflow). Every failure carries the
 * `{statusCode, code, message}` of the error body, so that logs and operators see why.
 */
export interface TypedFailure {
  readonly statusCode: number;
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
}

/** A request/reply call that failed, as the caller sees it. */
export class RemoteCallError extends Error implements TypedFailure {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'RemoteCallError';
  }
}

const STATUS_OF_KIND: Record<ErrorKind, number> = {
  validation: 400,
  not_found: 404,
  conflict: 409,
  unauthorized: 401,
  unavailable: 503,
};

/** Codes that say "try again later" whatever their status. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'CATALOG_UNAVAILABLE',
  'SERVICE_UNAVAILABLE',
  'INTERNAL_ERROR',
  'RPC_TIMEOUT',
  'NO_RESPONDERS',
  'CONNECTION_CLOSED',
  'CONCURRENT_MODIFICATION',
]);

/** Codes that are permanent whatever their status (a reply that can never be sent, data refused). */
const PERMANENT_CODES: ReadonlySet<string> = new Set(['REPLY_TOO_LARGE', 'NUMERIC_OVERFLOW', 'DATA_REJECTED', 'INVALID_REPLY']);

/** Whether a `{statusCode, code}` pair asks for a retry: 5xx, 408, 429 or a retryable code. */
export function isRetryableStatus(statusCode: number, code: string): boolean {
  if (PERMANENT_CODES.has(code)) return false;
  if (RETRYABLE_CODES.has(code)) return true;
  return statusCode >= 500 || statusCode === 408 || statusCode === 429;
}

/** The HTTP-like status of a code: its DomainError kind when it is one, else `fallback`. */
export function statusOfCode(code: string, fallback: number): number {
  const kind = (ERROR_CODES as Record<string, ErrorKind | undefined>)[code];
  return kind ? STATUS_OF_KIND[kind] : fallback;
}

interface PgLikeError {
  code: string;
  severity: string;
  message?: string;
}

function isPgError(error: unknown): error is PgLikeError {
  if (error === null || typeof error !== 'object') return false;
  const candidate = error as Partial<PgLikeError>;
  return typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code) && typeof candidate.severity === 'string';
}

/**
 * PostgreSQL SQLSTATE classes: 22 (data exception, e.g. 22003 numeric value out of range) and 23
 * (integrity constraint) refuse the data itself; 08 (connection), 40 (serialization, deadlock),
 * 53 (resources), 57 (operator intervention, e.g. shutdown) and anything else are transient.
 */
function pgFailure(error: PgLikeError): TypedFailure {
  const message = `database: ${error.message ?? error.code} (SQLSTATE ${error.code})`;
  if (error.code === '22003') return { statusCode: 422, code: 'NUMERIC_OVERFLOW', message, retryable: false };
  if (error.code.startsWith('22') || error.code.startsWith('23')) return { statusCode: 422, code: 'DATA_REJECTED', message, retryable: false };
  return { statusCode: 503, code: 'DATABASE_UNAVAILABLE', message, retryable: true };
}

/** A plain `{code, message, statusCode?}` object (the error body of another app). */
function bodyOf(error: unknown): { code: string; message: string; statusCode: number | null } | null {
  if (error === null || typeof error !== 'object' || error instanceof Error) return null;
  const body = error as { code?: unknown; message?: unknown; statusCode?: unknown };
  if (typeof body.code !== 'string' && typeof body.message !== 'string') return null;
  return {
    code: typeof body.code === 'string' ? body.code : 'REMOTE_ERROR',
    message: typeof body.message === 'string' ? body.message : JSON.stringify(error),
    statusCode: typeof body.statusCode === 'number' ? body.statusCode : null,
  };
}

/**
 * Classifies anything thrown: typed failures as they are, DomainErrors by kind (only
 * `unavailable` is retryable), database errors by SQLSTATE, error bodies of other apps by status
 * and code. Anything else (an unexpected bug or a dropped connection) is retryable: a bounded
 * number of redeliveries then decides, never an endless loop.
 */
export function classifyFailure(error: unknown): TypedFailure {
  if (error instanceof RemoteCallError) return { statusCode: error.statusCode, code: error.code, message: error.message, retryable: error.retryable };
  if (isDomainError(error)) {
    const statusCode = STATUS_OF_KIND[error.kind];
    return { statusCode, code: error.code, message: error.message, retryable: error.kind === 'unavailable' };
  }
  if (isPgError(error)) return pgFailure(error);
  const body = bodyOf(error);
  if (body) {
    const statusCode = body.statusCode ?? statusOfCode(body.code, 500);
    return { statusCode, code: body.code, message: body.message, retryable: isRetryableStatus(statusCode, body.code) };
  }
  return { statusCode: 500, code: 'INTERNAL_ERROR', message: messageOf(error), retryable: true };
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error !== null && typeof error === 'object') {
    try {
      return JSON.stringify(error);
    } catch {
      return Object.prototype.toString.call(error);
    }
  }
  return String(error);
}

