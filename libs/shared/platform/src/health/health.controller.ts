import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, MikroOrmHealthIndicator } from '@nestjs/terminus';
import { JetStreamService } from '../nats/jetstream.service';
import { NatsConnectionMonitor } from '../nats/nats-connection-monitor';

/**
 * `GET /health`, no auth: 200 only when every connection the app needs answers within 2 s —
 * `database` (a query), `nats` (the JetStream connection), `natsRpcClient` (calls to other apps)
 * and `natsRpcServer` (this app's request/reply handlers) — and 503 naming the ones down
 * otherwise. Connections come back by themselves; so does a 200.
 */
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
  check() {
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
