import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { TerminusModule } from '@nestjs/terminus';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { register } from 'prom-client';
import type { EntityClass, EntitySchema, MigrationObject } from '@mikro-orm/core';
import { CLOCK, SystemClock } from '@cec/kernel';
import { StreamDefinition } from '@cec/contracts';
import { APP_CONFIG, AppConfig, AppName, loadConfig } from './config/app-config';
import { DomainExceptionFilter } from './http/domain-exception.filter';
import { OperatorTokenGuard } from './http/operator-token.guard';
import { RequestBoundsInterceptor } from './http/request-bounds.interceptor';
import { HealthController } from './health/health.controller';
import { JETSTREAM_STREAMS, JetStreamService } from './nats/jetstream.service';
import { NATS_RPC_CLIENT, RpcClient } from './nats/rpc-client';
import { natsConnectionOptions } from './nats/nats-connection-options';
import { NatsConnectionMonitor } from './nats/nats-connection-monitor';
import { loadOutboxSettings, OUTBOX_SETTINGS, OutboxSettings } from './outbox/outbox.settings';
import { createOrmOptions } from './persistence/mikro-orm.config';
import { MikroOrmRpcContextInterceptor } from './persistence/mikro-orm-rpc-context.interceptor';
import { loggerParams } from './logging/logging';
import { MetricsController } from './observability/metrics.controller';
import { MetricsListener } from './observability/metrics-listener';
import { RpcCorrelationInterceptor } from './observability/rpc-correlation.interceptor';

export interface PlatformOptions {
  app: AppName;
  entities: Array<EntityClass<object> | EntitySchema>;
  migrations: MigrationObject[];
  /** JetStream streams this app publishes to or consumes from (ensured at boot). */
  streams: readonly StreamDefinition[];
  /** Overrides for tests (defaults come from the environment). */
  config?: Partial<AppConfig>;
  /** Extra providers to replace defaults, e.g. a FakeClock for CLOCK. */
  clock?: Provider;
  /** Overrides of the outbox relay's settings for tests (defaults come from the environment). */
  outbox?: Partial<OutboxSettings>;
  /** Where the app's log lines go instead of stdout (tests capture them). */
  logDestination?: DestinationStream;
}

/**
 * Everything an app needs around its use cases: typed config, clock, PostgreSQL through MikroORM
 * (its own schema), JetStream, request/reply client, auth guard (deny by default), generic input
 * bounds, error filter, health, Prometheus metrics at /metrics (operator token; token-free only on the
 * METRICS_PORT listener), structured logs (nestjs-pino) with request and correlation ids.
 */
@Global()
@Module({})
export class PlatformModule {
  static forApp(options: PlatformOptions): DynamicModule {
    const config: AppConfig = { ...loadConfig(options.app), ...options.config };
    const outbox: OutboxSettings = { ...loadOutboxSettings(), ...options.outbox };
    return {
      module: PlatformModule,
      imports: [
        LoggerModule.forRoot(loggerParams(config, options.logDestination)),
        PrometheusModule.register({
          controller: MetricsController,
          path: '/metrics',
          // process metrics are registered once per process (tests boot several apps in one)
          defaultMetrics: { enabled: register.getSingleMetric('process_cpu_user_seconds_total') === undefined },
        }),
        TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' }),
        MikroOrmModule.forRoot({
          ...createOrmOptions({ databaseUrl: config.databaseUrl, schema: config.schema, entities: options.entities, migrations: options.migrations }),
          registerRequestContext: true,
        }),
        ClientsModule.register([
          // reconnects forever (finding 9.2); NatsConnectionMonitor recreates it should it close anyway
          { name: NATS_RPC_CLIENT, transport: Transport.NATS, options: natsConnectionOptions(config.natsUrl, `${config.app}-rpc-client`) },
        ]),
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        options.clock ?? { provide: CLOCK, useClass: SystemClock },
        { provide: JETSTREAM_STREAMS, useValue: options.streams },
        { provide: OUTBOX_SETTINGS, useValue: outbox },
        JetStreamService,
        RpcClient,
        NatsConnectionMonitor,
        MetricsListener,
        { provide: APP_GUARD, useClass: OperatorTokenGuard },
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: RpcCorrelationInterceptor },
        { provide: APP_INTERCEPTOR, useClass: MikroOrmRpcContextInterceptor },
        { provide: APP_INTERCEPTOR, useClass: RequestBoundsInterceptor },
      ],
      exports: [APP_CONFIG, CLOCK, MetricsListener, OUTBOX_SETTINGS, JetStreamService, RpcClient, NatsConnectionMonitor, ClientsModule],
    };
  }
}
