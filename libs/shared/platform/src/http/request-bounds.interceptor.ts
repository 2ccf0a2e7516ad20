import {
  BadRequestException,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { Observable } from 'rxjs';
import { findJsonBodyProblem, findPathParamProblem, findQueryProblem, isJsonContentType, MAX_JSON_DEPTH } from './request-bounds';
import { ALLOWS_NUL_IN_BODY } from './public.decorator';

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

function carriesBody(request: Request): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * The generic input bounds of every HTTP route, applied to the route that matched after the token
 * guard and before validation pipes and handlers: path parameters and query values without
 * control characters, query values never object/list shaped, bodies of POST/PUT/PATCH only as
 * `application/json` (415 otherwise; a missing body counts as `{}`), JSON bodies at most
 * MAX_JSON_DEPTH deep and without NUL (unless the route is marked `@AllowNulInBody()`).
 */
@Injectable()
export class RequestBoundsInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    const problem =
      findPathParamProblem(request.params as Record<string, unknown>) ?? findQueryProblem(request.query as Record<string, unknown>);
    if (problem) throw new BadRequestException({ code: 'VALIDATION_FAILED', message: problem });
    if (METHODS_WITH_BODY.has(request.method)) {
      const type = request.headers['content-type'];
      if (type !== undefined ? !isJsonContentType(type) : carriesBody(request)) {
        throw new UnsupportedMediaTypeException({
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: `request body must be application/json (got ${type === undefined ? 'no content type' : type.slice(0, 100)})`,
        });
      }
    }
    // no body at all: validated as an empty object, so the route answers its usual 400 for missing fields
    if (METHODS_WITH_BODY.has(request.method) && request.body === undefined) request.body = {};
    const allowNul = this.reflector.getAllAndOverride<boolean | undefined>(ALLOWS_NUL_IN_BODY, [context.getHandler(), context.getClass()]) === true;
    const bodyProblem = request.body === undefined ? undefined : findJsonBodyProblem(request.body, MAX_JSON_DEPTH, allowNul);
    if (bodyProblem) throw new BadRequestException({ code: 'VALIDATION_FAILED', message: bodyProblem });
    return next.handle();
  }
}
