import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { DomainError } from '@cec/kernel';
import type { Response } from 'express';
import { RpcException } from '@nestjs/microservices';
import { Observable, throwError } from 'rxjs';
import { CODE_BY_STATUS, ErrorBody, STATUS_BY_KIND } from './error-body';

interface BodyParserError {
  type?: string;
  status?: number;
  statusCode?: number;
  message?: string;
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

/**
 * The one REST error mapping: DomainError codes by kind, Nest HTTP exceptions (validation pipe,
 * unknown routes), body-parser failures (malformed JSON is a 400), anything else a 500.
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
    const parserError = exception as BodyParserError;
    if (parserError && typeof parserError === 'object' && typeof parserError.type === 'string' && parserError.type.startsWith('entity.')) {
      const statusCode = parserError.status ?? parserError.statusCode ?? HttpStatus.BAD_REQUEST;
      const message =
        parserError.type === 'entity.parse.failed'
          ? 'request body is not valid JSON'
          : parserError.type === 'entity.too.large'
            ? 'request body is too large'
            : (parserError.message ?? 'request body could not be read');
      return { statusCode, code: CODE_BY_STATUS[statusCode] ?? 'VALIDATION_FAILED', message };
    }
    return { statusCode: 500, code: 'INTERNAL_ERROR', message: 'internal error' };
  }
}
