import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { TerminusModule } from '@nestjs/terminus';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import type { EntityClass, EntitySchema, MigrationObject } from '@mikro-orm/core';
import { CLOCK, SystemClock } from '@cec/kernel';
import { StreamDefinition } from '@cec/contracts';
import { APP_CONFIG, AppConfig, AppName, loadConfig, natsServers } from './config/app-config';
import { DomainExceptionFilter } from './http/domain-exception.filter';
import { OperatorTokenGuard } from './http/operator-token.guard';
import { HealthController } from './health/health.controller';
import { JETSTREAM_STREAMS, JetStreamService } from './nats/jetstream.service';
import { NATS_RPC_CLIENT, RpcClient } from './nats/rpc-client';
import { createOrmOptions } from './persistence/mikro-orm.config';
import { MikroOrmRpcContextInterceptor } from './persistence/mikro-orm-rpc-context.interceptor';

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
}

/**
 * Everything an app needs around its use cases: typed config, clock, PostgreSQL through MikroORM
 * (its own schema), JetStream, request/reply client, auth guard, error filter, health.
 */
@Global()
@Module({})
export class PlatformModule {
  static forApp(options: PlatformOptions): DynamicModule {
    const config: AppConfig = { ...loadConfig(options.app), ...options.config };
    return {
      module: PlatformModule,
      imports: [
        TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' }),
        MikroOrmModule.forRoot({
          ...createOrmOptions({ databaseUrl: config.databaseUrl, schema: config.schema, entities: options.entities, migrations: options.migrations }),
          registerRequestContext: true,
        }),
        ClientsModule.register([
          { name: NATS_RPC_CLIENT, transport: Transport.NATS, options: { servers: natsServers(config.natsUrl), name: `${config.app}-rpc-client` } },
        ]),
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        options.clock ?? { provide: CLOCK, useClass: SystemClock },
        { provide: JETSTREAM_STREAMS, useValue: options.streams },
        JetStreamService,
        RpcClient,
        { provide: APP_GUARD, useClass: OperatorTokenGuard },
        { provide: APP_FILTER, useClass: DomainExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: MikroOrmRpcContextInterceptor },
      ],
      exports: [APP_CONFIG, CLOCK, JetStreamService, RpcClient, ClientsModule],
    };
  }
}
