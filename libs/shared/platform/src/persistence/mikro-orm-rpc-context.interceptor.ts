import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { MikroORM, RequestContext } from '@mikro-orm/core';
import { Observable } from 'rxjs';

/**
 * HTTP requests get a forked EntityManager from the MikroORM middleware; message handlers do not.
 * This interceptor gives every RPC (NATS message pattern) handler its own request context.
 */
@Injectable()
export class MikroOrmRpcContextInterceptor implements NestInterceptor {
  constructor(private readonly orm: MikroORM) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    return new Observable((subscriber) => {
      RequestContext.create(this.orm.em, () => {
        next.handle().subscribe(subscriber);
      });
    });
  }
}
