import { DynamicModule, Module, Provider } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { STREAMS } from '@cec/contracts';
import { Clock, CLOCK } from '@cec/kernel';
import { OutboxRelay, PlatformModule, PlatformOptions } from '@cec/platform';
import {
  ExpireParkedUsageUseCase,
  GetDailyUsageUseCase,
  GetRejectedUsageEventUseCase,
  GetMonthlyUsageUseCase,
  GetUsageRevisionsUseCase,
  IngestUsageEventsUseCase,
  ListRejectedUsageEventsUseCase,
  METERING_REPOSITORY,
  MeteringDeps,
  MeteringRepository,
  RecordSubscriptionChangesUseCase,
  ReplayDeadLetterUseCase,
  ReportUsageEventsUseCase,
} from '@cec/metering-application';
import { PostgresMeteringRepository } from '@cec/metering-persistence';
import { METERING_ORM } from './metering.module-def';
import { UsageController } from './http/usage.controller';
import { loadMeteringConsumerSettings, METERING_CONSUMER_SETTINGS, MeteringConsumerSettings } from './messaging/consumer-settings';
import { MeteringRpcHandler } from './messaging/metering-rpc.handler';
import { SubscriptionChangedConsumer } from './messaging/subscription-changed.consumer';
import { UsageReportedConsumer } from './messaging/usage-reported.consumer';
import { ParkedUsageSweeper } from './messaging/parked-usage.sweeper';

const USE_CASES = [IngestUsageEventsUseCase, RecordSubscriptionChangesUseCase, GetDailyUsageUseCase, GetMonthlyUsageUseCase, GetUsageRevisionsUseCase, ListRejectedUsageEventsUseCase, GetRejectedUsageEventUseCase];

const useCaseProviders: Provider[] = USE_CASES.map((useCase) => ({
  provide: useCase,
  inject: [METERING_REPOSITORY, CLOCK],
  useFactory: (repository: MeteringRepository, clock: Clock) => new useCase({ repository, clock } satisfies MeteringDeps),
}));

export interface MeteringAppOptions extends Pick<PlatformOptions, 'config' | 'clock' | 'logDestination'> {
  consumers?: Partial<MeteringConsumerSettings>;
}

@Module({})
export class MeteringAppModule {
  static register(options: MeteringAppOptions = {}): DynamicModule {
    const { consumers, ...overrides } = options;
    return {
      module: MeteringAppModule,
      imports: [PlatformModule.forApp({ ...METERING_ORM, streams: [STREAMS.usage, STREAMS.billingEvents, STREAMS.meteringEvents], ...overrides })],
      controllers: [UsageController, MeteringRpcHandler],
      providers: [
        { provide: METERING_REPOSITORY, inject: [EntityManager], useFactory: (em: EntityManager) => new PostgresMeteringRepository(em) },
        { provide: METERING_CONSUMER_SETTINGS, useValue: loadMeteringConsumerSettings(process.env, consumers) satisfies MeteringConsumerSettings },
        ...useCaseProviders,
        { provide: ReportUsageEventsUseCase, inject: [IngestUsageEventsUseCase], useFactory: (ingest: IngestUsageEventsUseCase) => new ReportUsageEventsUseCase(ingest) },
        {
          provide: ReplayDeadLetterUseCase,
          inject: [METERING_REPOSITORY, CLOCK, IngestUsageEventsUseCase],
          useFactory: (repository: MeteringRepository, clock: Clock, ingest: IngestUsageEventsUseCase) => new ReplayDeadLetterUseCase({ repository, clock }, ingest),
        },
        {
          provide: ExpireParkedUsageUseCase,
          inject: [METERING_REPOSITORY, CLOCK, METERING_CONSUMER_SETTINGS],
          useFactory: (repository: MeteringRepository, clock: Clock, settings: MeteringConsumerSettings) =>
            new ExpireParkedUsageUseCase({ repository, clock }, settings.parkedUsageTtlMs),
        },
        // issue 10: relays metering's outbox (`metering.usage.changed`, written with each timeline write)
        OutboxRelay,
        ParkedUsageSweeper,
        UsageReportedConsumer,
        SubscriptionChangedConsumer,
      ],
    };
  }
}
