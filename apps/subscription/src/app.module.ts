import { DynamicModule, Module, Provider } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Clock, CLOCK } from '@cec/kernel';
import { STREAMS } from '@cec/contracts';
import { OutboxRelay, PlatformModule, PlatformOptions, RpcClient } from '@cec/platform';
import {
  ACCOUNT_REPOSITORY,
  AccountRepository,
  CancelSubscriptionUseCase,
  CATALOG_GATEWAY,
  CatalogGateway,
  ChangeSubscriptionUseCase,
  CreateAccountUseCase,
  CreateSubscriptionUseCase,
  GetAccountUseCase,
  GetQuantityAtUseCase,
  GetSubscriptionUseCase,
  ListAccountSubscriptionsUseCase,
  RequestBillingModeChangeUseCase,
  SearchAccountsUseCase,
  SUBSCRIPTION_REPOSITORY,
  SubscriptionDeps,
  SubscriptionRepository,
} from '@cec/subscription-application';
import { MikroOrmAccountRepository, MikroOrmSubscriptionRepository } from '@cec/subscription-persistence';
import { AccountsController } from './http/accounts.controller';
import { SubscriptionsController } from './http/subscriptions.controller';
import { NatsCatalogGateway } from './messaging/catalog.gateway';
import { SUBSCRIPTION_ORM } from './subscription.module-def';

const USE_CASES = [
  CreateAccountUseCase,
  GetAccountUseCase,
  SearchAccountsUseCase,
  CreateSubscriptionUseCase,
  GetSubscriptionUseCase,
  ListAccountSubscriptionsUseCase,
  ChangeSubscriptionUseCase,
  CancelSubscriptionUseCase,
  RequestBillingModeChangeUseCase,
  GetQuantityAtUseCase,
];

const useCaseProviders: Provider[] = USE_CASES.map((useCase) => ({
  provide: useCase,
  inject: [ACCOUNT_REPOSITORY, SUBSCRIPTION_REPOSITORY, CATALOG_GATEWAY, CLOCK],
  useFactory: (accounts: AccountRepository, subscriptions: SubscriptionRepository, catalog: CatalogGateway, clock: Clock) =>
    new useCase({ accounts, subscriptions, catalog, clock } satisfies SubscriptionDeps),
}));

@Module({})
export class SubscriptionAppModule {
  static register(overrides: Pick<PlatformOptions, 'config' | 'clock' | 'logDestination'> = {}): DynamicModule {
    return {
      module: SubscriptionAppModule,
      imports: [PlatformModule.forApp({ ...SUBSCRIPTION_ORM, streams: [STREAMS.billingEvents], ...overrides })],
      controllers: [AccountsController, SubscriptionsController],
      providers: [
        // relays committed outbox rows to JetStream; every write pokes it after its commit
        OutboxRelay,
        {
          provide: ACCOUNT_REPOSITORY,
          inject: [EntityManager, OutboxRelay],
          useFactory: (em: EntityManager, relay: OutboxRelay) => new MikroOrmAccountRepository(em, () => relay.poke()),
        },
        {
          provide: SUBSCRIPTION_REPOSITORY,
          inject: [EntityManager, OutboxRelay],
          useFactory: (em: EntityManager, relay: OutboxRelay) => new MikroOrmSubscriptionRepository(em, () => relay.poke()),
        },
        { provide: CATALOG_GATEWAY, inject: [RpcClient], useFactory: (rpc: RpcClient) => new NatsCatalogGateway(rpc) },
        ...useCaseProviders,
      ],
    };
  }
}
