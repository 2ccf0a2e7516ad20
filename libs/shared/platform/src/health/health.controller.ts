import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, MikroOrmHealthIndicator } from '@nestjs/terminus';
import { JetStreamService } from '../nats/jetstream.service';
import { Public } from '../http/public.decorator';

/** `GET /health`, public (no token): 200 only when the database and NATS are both up (503 otherwise). */
@Public()
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: MikroOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly jetStream: JetStreamService,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness and readiness: database and NATS' })
  check() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2000 }),
      async () => {
        const session = this.indicators.check('nats');
        return (await this.jetStream.isHealthy()) ? session.up() : session.down({ message: 'NATS is not reachable' });
      },
    ]);
  }
}
