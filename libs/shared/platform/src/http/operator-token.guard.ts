import { CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/** Every `/v1` route needs `Authorization: Bearer <token>` with one of OPERATOR_TOKENS. */
@Injectable()
export class OperatorTokenGuard implements CanActivate {
  private readonly tokens: Buffer[];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.tokens = config.operatorTokens.map((token) => Buffer.from(token));
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (!request.path.startsWith('/v1/') && request.path !== '/v1') return true;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) {
      throw new UnauthorizedException({ code: 'UNAUTHORIZED', message: 'Authorization header with a Bearer token is required' });
    }
    const given = Buffer.from(match[1]);
    const known = this.tokens.some((token) => token.length === given.length && timingSafeEqual(token, given));
    if (!known) {
      throw new UnauthorizedException({ code: 'UNAUTHORIZED', message: 'the bearer token is not a known operator token' });
    }
    return true;
  }
}
