import { Inject, Injectable } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { PATTERNS } from '@cec/contracts';
import { classifyFailure, RemoteCallError } from '@cec/kernel';
import { APP_CONFIG, AppConfig } from '../config/app-config';

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

/** Request/reply to another app over core NATS (NestJS message patterns, queue groups). */
@Injectable()
export class RpcClient {
  constructor(
    @Inject(NATS_RPC_CLIENT) private readonly client: ClientProxy,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Rejects with a RemoteCallError (typed: statusCode, code, message, retryable). */
  async request<TReply, TRequest = unknown>(pattern: PatternName, payload: TRequest): Promise<TReply> {
    try {
      return await firstValueFrom(this.client.send<TReply, TRequest>(pattern, payload).pipe(timeout(this.config.natsRequestTimeoutMs)));
    } catch (error) {
      throw toRemoteCallError(pattern, error);
    }
  }
}
