import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { IS_PUBLIC_ROUTE } from './public.decorator';

/** The outcome of checking an Authorization header against the known operator tokens. */
export type TokenCheck = 'ok' | 'missing' | 'unknown';

/**
 * Checks `Authorization: Bearer <token>` (scheme case-insensitive, exactly one token) against the
 * known tokens in constant time per candidate.
 */
export function checkBearer(header: string | string[] | undefined, tokens: readonly Buffer[]): TokenCheck {
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) return 'missing';
  const given = Buffer.from(match[1]);
  return tokens.some((token) => token.length === given.length && timingSafeEqual(token, given)) ? 'ok' : 'unknown';
}

/**
 * Deny by default: every HTTP route needs `Authorization: Bearer <token>` with one of
 * OPERATOR_TOKENS unless the handler or its controller is marked {@link Public} (`GET /health`).
 * The decision is taken on the route Nest matched (its metadata), never on the request path, so
 * no spelling of a path can skip it. Request/reply (NATS) handlers are not HTTP and pass.
 * Swagger's `/docs` and `/docs-json` are served by Express outside Nest's routing: public.
 */
@Injectable()
export class OperatorTokenGuard implements CanActivate {
  private readonly tokens: Buffer[];

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly reflector: Reflector,
  ) {
    this.tokens = config.operatorTokens.map((token) => Buffer.from(token));
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_ROUTE, [context.getHandler(), context.getClass()]);
    if (isPublic === true) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const check = checkBearer(request.headers.authorization, this.tokens);
    if (check === 'missing') {
      throw new UnauthorizedException({ code: 'UNAUTHORIZED', message: 'Authorization header with a Bearer token is required' });
    }
    if (check === 'unknown') {
      throw new UnauthorizedException({ code: 'UNAUTHORIZED', message: 'the bearer token is not a known operator token' });
    }
    return true;
  }
}
