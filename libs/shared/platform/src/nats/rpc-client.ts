import { Inject, Injectable, Logger } from '@nestjs/common';
import { ClientProxy, NatsRecordBuilder } from '@nestjs/microservices';
import { headers as natsHeaders } from 'nats';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { PATTERNS } from '@cec/contracts';
import { classifyFailure, RemoteCallError } from '@cec/kernel';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { CORRELATION_HEADER, currentCorrelationId } from '../observability/correlation';

export const NATS_RPC_CLIENT = 'NATS_RPC_CLIENT';

export type PatternName = (typeof PATTERNS)[keyof typeof PATTERNS];

/**
 * Any failure of a request/reply call as a typed RemoteCallError naming the pattern: a timeout or a
 * missing responder is retryable (504 RPC_TIMEOUT / 503 NO_RESPONDERS), an error body of the other
 * app keeps its `{statusCode, code, message}` and is retryable or permanent as `classifyFailure` says.
 */
export function toRemoteCallError(pattern: string, error: unknown): RemoteCallError {
  if (error instanceof RemoteCallError) return error;
  if (error instanceof TimeoutError) return new RemoteCallError(504, 'RPC_TIMEOUT', `${pattern}: no reply in time`, true);
  const natsCode = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  if (natsCode === '503') return new RemoteCallError(503, 'NO_RESPONDERS', `${pattern}: no app answers this pattern`, true);
  const failure = classifyFailure(error);
  return new RemoteCallError(failure.statusCode, failure.code, `${pattern}: ${failure.message}`, failure.retryable);
}

/**
 * Request/reply to another app over core NATS (NestJS message patterns, queue groups). The current
 * correlation id travels in the `X-Correlation-Id` header (RpcCorrelationInterceptor reads it).
 */
@Injectable()
export class RpcClient {
  private readonly logger = new Logger(RpcClient.name);

  constructor(
    @Inject(NATS_RPC_CLIENT) private readonly client: ClientProxy,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Rejects with a RemoteCallError (typed: statusCode, code, message, retryable). */
  async request<TReply, TRequest = unknown>(pattern: PatternName, payload: TRequest): Promise<TReply> {
    try {
      const correlationId = currentCorrelationId();
      this.logger.debug(`rpc request ${pattern}`);
      const record = correlationId ? new NatsRecordBuilder(payload).setHeaders(correlationHeaders(correlationId)).build() : payload;
      return await firstValueFrom(this.client.send<TReply>(pattern, record).pipe(timeout(this.config.natsRequestTimeoutMs)));
    } catch (error) {
      throw toRemoteCallError(pattern, error);
    }
  }
}

function correlationHeaders(correlationId: string): ReturnType<typeof natsHeaders> {
  const h = natsHeaders();
  h.set(CORRELATION_HEADER, correlationId);
  return h;
}
