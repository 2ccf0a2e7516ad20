import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { DomainError } from '@cec/kernel';
import type { Response } from 'express';
import { RpcException } from '@nestjs/microservices';
import { Observable, throwError } from 'rxjs';
import { CODE_BY_STATUS, ErrorBody, STATUS_BY_KIND } from './error-body';

/** What body-parser (http-errors) and the router's param decoding throw for a bad request. */
interface HttpStackError {
  name?: unknown;
  type?: unknown;
  status?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

/**
 * A 4xx raised by Express's own layers before any handler: body-parser (malformed JSON, too large,
 * unsupported charset or encoding) and the router (a path that is not valid percent-encoding).
 */
function httpStackClientError(exception: unknown): ErrorBody | undefined {
  if (exception === null || typeof exception !== 'object') return undefined;
  const error = exception as HttpStackError;
  const status = typeof error.status === 'number' ? error.status : error.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 499) return undefined;
  let message: string;
  if (error.type === 'entity.parse.failed') message = 'request body is not valid JSON';
  else if (error.type === 'entity.too.large') message = 'request body is too large';
  else if (error.name === 'URIError') message = 'request path is not valid percent-encoding';
  else message = typeof error.message === 'string' && error.message.length > 0 ? error.message : 'request could not be read';
  return { statusCode: status, code: CODE_BY_STATUS[status] ?? 'VALIDATION_FAILED', message };
}

function messageOf(response: unknown, fallback: string): string {
  if (typeof response === 'string') return response;
  if (response !== null && typeof response === 'object') {
    const message = (response as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    if (Array.isArray(message) && message.length > 0) return message.map(String).join('; ');
  }
  return fallback;
}

const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', 'ECONNREFUSED', 'ECONNRESET']);
const UNAVAILABLE_MESSAGES = /Unable to acquire a connection|Timeout acquiring a connection|Connection terminated|connect ECONNREFUSED/i;

/**
 * PostgreSQL away or its pool exhausted (a connection could not be had in time, a backend ended):
 * a 503 the caller may retry (#9.2), never a 500. The transaction, if any, was rolled back.
 */
export function isDatabaseUnavailable(exception: unknown): boolean {
  if (exception === null || typeof exception !== 'object') return false;
  const { name, code, message } = exception as { name?: unknown; code?: unknown; message?: unknown };
  if (name === 'KnexTimeoutError' || name === 'ConnectionException') return true;
  if (typeof code === 'string' && UNAVAILABLE_SQLSTATES.has(code)) return true;
  return typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message);
}

/**
 * The one REST error mapping: DomainError codes by kind, Nest HTTP exceptions (validation pipe,
 * unknown routes), 4xx failures of Express's own layers (malformed JSON, bad percent-encoding), anything
 * else a 500.
 */
@Catch()
export class DomainExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() === 'rpc') {
      // request/reply callers get a machine-readable body (Nest serializes it as the error)
      if (exception instanceof RpcException) return throwError(() => exception.getError());
      const body = this.toBody(exception);
      if (body.statusCode >= 500) this.logger.error(exception instanceof Error ? exception : String(exception));
      return throwError(() => body);
    }
    if (host.getType() !== 'http') throw exception;
    const response = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) {
      this.logger.error(exception instanceof Error ? exception : String(exception));
    }
    response.status(body.statusCode).json(body);
  }

  toBody(exception: unknown): ErrorBody {
    if (exception instanceof DomainError) {
      return { statusCode: STATUS_BY_KIND[exception.kind], code: exception.code, message: exception.message };
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      const explicitCode = typeof response === 'object' && response !== null ? (response as { code?: unknown }).code : undefined;
      return {
        statusCode,
        code: typeof explicitCode === 'string' ? explicitCode : (CODE_BY_STATUS[statusCode] ?? `HTTP_${statusCode}`),
        message: messageOf(response, exception.message),
      };
    }
    const clientError = httpStackClientError(exception);
    if (clientError) return clientError;
    if (isDatabaseUnavailable(exception)) {
      return { statusCode: 503, code: 'DATABASE_UNAVAILABLE', message: 'the database is unavailable; nothing was changed, try again' };
    }
    return { statusCode: 500, code: 'INTERNAL_ERROR', message: 'internal error' };
  }
}
