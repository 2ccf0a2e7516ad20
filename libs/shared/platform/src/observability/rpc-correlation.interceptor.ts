import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { NatsContext } from '@nestjs/microservices';
import { Observable } from 'rxjs';
import { CORRELATION_HEADER, runWithCorrelation, saneId } from './correlation';

interface NatsHeaders {
  get(name: string): string;
}

/**
 * A request/reply (NATS message pattern) handler runs with the caller's correlation id (the
 * `X-Correlation-Id` header RpcClient sends), so its log lines and what it publishes carry it.
 */
@Injectable()
export class RpcCorrelationInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Rpc');

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const nats = context.switchToRpc().getContext<unknown>();
    const correlationId = nats instanceof NatsContext ? saneId((nats.getHeaders() as NatsHeaders | undefined)?.get(CORRELATION_HEADER)) : null;
    const subject = nats instanceof NatsContext ? nats.getSubject() : 'unknown';
    return new Observable((subscriber) =>
      runWithCorrelation(correlationId, () => {
        this.logger.debug(`request on ${subject}`);
        return next.handle().subscribe(subscriber);
      }),
    );
  }
}
