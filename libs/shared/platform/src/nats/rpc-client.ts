import { Inject, Injectable } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import { PATTERNS } from '@cec/contracts';
import { APP_CONFIG, AppConfig } from '../config/app-config';

export const NATS_RPC_CLIENT = 'NATS_RPC_CLIENT';

export type PatternName = (typeof PATTERNS)[keyof typeof PATTERNS];

/** Request/reply to another app over core NATS (NestJS message patterns, queue groups). */
@Injectable()
export class RpcClient {
  constructor(
    @Inject(NATS_RPC_CLIENT) private readonly client: ClientProxy,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async request<TReply, TRequest = unknown>(pattern: PatternName, payload: TRequest): Promise<TReply> {
    return firstValueFrom(this.client.send<TReply, TRequest>(pattern, payload).pipe(timeout(this.config.natsRequestTimeoutMs)));
  }
}
