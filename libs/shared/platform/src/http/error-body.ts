import { HttpStatus } from '@nestjs/common';
import { DomainError, ErrorKind } from '@cec/kernel';

/** The error body of the contract: `{statusCode, code, message}`. */
export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
}

export const STATUS_BY_KIND: Record<ErrorKind, HttpStatus> = {
  validation: HttpStatus.BAD_REQUEST,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  unauthorized: HttpStatus.UNAUTHORIZED,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

export const CODE_BY_STATUS: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  500: 'INTERNAL_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

/** The error body of a DomainError (for request/reply handlers that answer errors themselves). */
export function errorBodyOf(error: DomainError): ErrorBody {
  return { statusCode: STATUS_BY_KIND[error.kind], code: error.code, message: error.message };
}
