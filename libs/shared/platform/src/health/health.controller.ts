import { Controller, Get, HttpException, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService, MikroOrmHealthIndicator } from '@nestjs/terminus';
import { JetStreamService } from '../nats/jetstream.service';
import { Public } from '../http/public.decorator';
import { NatsConnectionMonitor } from '../nats/nats-connection-monitor';

/**
 * `GET /health`, no auth: 200 only when every connection the app needs answers within 2 s —
 * `database` (a query), `nats` (the JetStream connection), `natsRpcClient` (calls to other apps)
 * and `natsRpcServer` (this app's request/reply handlers) — and 503 otherwise, with terminus's
 * body (`status`, `info`, `error`, `details`) plus the usual `statusCode`, `code` and a message
 * naming the connections that are down. Connections come back by themselves; so does a 200.
 */
@Public()
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: MikroOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly jetStream: JetStreamService,
    private readonly connections: NatsConnectionMonitor,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: database, JetStream, request/reply client and server connections' })
  @ApiResponse({ status: 503, description: 'A connection is down: `error` names it (database, nats, natsRpcClient, natsRpcServer)' })
  async check(@Res({ passthrough: true }) response: Response): Promise<HealthCheckResult | Record<string, unknown>> {
    try {
      return await this.runChecks();
    } catch (error) {
      if (!(error instanceof HttpException)) throw error;
      const body = error.getResponse() as HealthCheckResult;
      const down = Object.keys(body.error ?? {});
      response.status(error.getStatus());
      return { statusCode: error.getStatus(), code: 'SERVICE_UNAVAILABLE', message: `down: ${down.join(', ')}`, ...body };
    }
  }

  private runChecks(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2000 }),
      () => this.indicate('nats', () => this.jetStream.isHealthy(), 'the JetStream connection to NATS is down'),
      () => this.indicate('natsRpcClient', () => this.connections.rpcClientHealthy(), 'the request/reply client connection to NATS is down'),
      () => this.indicate('natsRpcServer', () => this.connections.rpcServerHealthy(), 'the request/reply server connection to NATS is down'),
    ]);
  }

  private async indicate(key: string, probe: () => Promise<boolean>, downMessage: string) {
    const session = this.indicators.check(key);
    return (await probe()) ? session.up() : session.down({ message: downMessage });
  }
}
