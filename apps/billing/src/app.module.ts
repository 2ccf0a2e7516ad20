import { BillingMetrics } from './observability/billing-metrics';
import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { EntityManager } from '@mikro-orm/postgresql';
import { Clock, CLOCK } from '@cec/kernel';
import { STREAMS } from '@cec/contracts';
import { AppConfig, JetStreamService, loadConfig, OutboxRelay, PlatformModule, PlatformOptions, RpcClient } from '@cec/platform';
import {
  AccountFeed,
  BILLING_DEPS,
  BillingDeps,
  CancelBillingRunUseCase,
  DeadLetterRepository,
  CreateDiscountUseCase,
  GetBalanceUseCase,
  GetBillingRunUseCase,
  GetBillUseCase,
  GetLedgerUseCase,
  ListBillingRunFailuresUseCase,
  ListBillingRunsUseCase,
  ListBillsUseCase,
  ListDeadLettersUseCase,
  ListDiscountsUseCase,
  PlanDueRunsUseCase,
  ProcessBillingJobUseCase,
  RecordAccountsUseCase,
  ResumeBillingRunsUseCase,
  RetryBillingRunFailuresUseCase,
  StartBillingRunUseCase,
  TopUpUseCase,
  BalanceThresholdUseCase,
  GetGuardedBalanceUseCase,
  GuardWorkerPoke,
  PREPAID_GUARD_REPOSITORY,
  PrepaidGuardRepository,
  RefreshPrepaidGuardUseCase,
} from '@cec/billing-application';
import {
  SqlAccountRepository,
  SqlBillingLedger,
  SqlBillingRunRepository,
  SqlBillQueries,
  SqlDeadLetterRepository,
  SqlDiscountRepository,
  SqlTopUpRepository,
  SqlPrepaidGuardRepository,
} from '@cec/billing-persistence';
import { BILLING_ORM } from './billing.module-def';
import { EXPLAIN_CONTROLLERS, EXPLAIN_PROVIDERS } from './explain.wiring';
import { DOCUMENT_CONTROLLERS, DOCUMENT_PROVIDERS } from './document.wiring';
import { BillingRunSettings, loadBillingRunSettings } from './billing.settings';
import { BILLING_RUN_SETTINGS } from './billing.tokens';
import { AccountsController } from './http/accounts.controller';
import { BillingRunsController } from './http/billing-runs.controller';
import { BillsController } from './http/bills.controller';
import { DiscountsController } from './http/discounts.controller';
import { AccountCreatedHandler, JetStreamAccountFeed } from './messaging/account-created.handler';
import { DeadLettersController } from './http/dead-letters.controller';
import { BillingRunJobsHandler } from './messaging/billing-run-jobs.handler';
import { JetStreamJobQueue, OutboxEventRelay, RpcCatalogGateway, RpcUsageGateway } from './messaging/billing.gateways';
import { BillingScheduler } from './scheduling/billing.scheduler';
import { GUARD_DEAD_LETTERS, GUARD_WORKER, PrepaidGuardWorker, UsageChangedConsumer } from './messaging/prepaid-guard.worker';
import { TEST_CLOCK, TestClock } from './test-clock/test-clock';
import { TestClockController } from './test-clock/test-clock.controller';

const USE_CASES = [
  GetBalanceUseCase,
  GetLedgerUseCase,
  TopUpUseCase,
  CreateDiscountUseCase,
  ListDiscountsUseCase,
  GetBillUseCase,
  ListBillsUseCase,
  GetBillingRunUseCase,
  ListBillingRunsUseCase,
  ProcessBillingJobUseCase,
  ResumeBillingRunsUseCase,
  CancelBillingRunUseCase,
  RetryBillingRunFailuresUseCase,
  ListBillingRunFailuresUseCase,
];

const ACCOUNT_FEED = Symbol.for('cec.billing.AccountFeed');
const DEAD_LETTERS = Symbol.for('cec.billing.DeadLetters');

const useCaseProviders: Provider[] = [
  ...USE_CASES.map((useCase) => ({
    provide: useCase,
    inject: [BILLING_DEPS],
    useFactory: (deps: BillingDeps) => new useCase(deps),
  })),
  { provide: ACCOUNT_FEED, inject: [JetStreamService], useFactory: (jetStream: JetStreamService): AccountFeed => new JetStreamAccountFeed(jetStream) },
  { provide: DEAD_LETTERS, inject: [EntityManager], useFactory: (em: EntityManager): DeadLetterRepository => new SqlDeadLetterRepository(em) },
  {
    provide: RecordAccountsUseCase,
    inject: [BILLING_DEPS, DEAD_LETTERS],
    useFactory: (deps: BillingDeps, deadLetters: DeadLetterRepository) => new RecordAccountsUseCase(deps, deadLetters),
  },
  // issue 10: the prepaid guard
  { provide: PREPAID_GUARD_REPOSITORY, inject: [EntityManager], useFactory: (em: EntityManager): PrepaidGuardRepository => new SqlPrepaidGuardRepository(em) },
  { provide: GUARD_DEAD_LETTERS, useExisting: DEAD_LETTERS },
  {
    provide: RefreshPrepaidGuardUseCase,
    inject: [BILLING_DEPS, PREPAID_GUARD_REPOSITORY],
    useFactory: (deps: BillingDeps, guard: PrepaidGuardRepository) => new RefreshPrepaidGuardUseCase(deps, guard),
  },
  {
    provide: GetGuardedBalanceUseCase,
    inject: [BILLING_DEPS, PREPAID_GUARD_REPOSITORY],
    useFactory: (deps: BillingDeps, guard: PrepaidGuardRepository) => new GetGuardedBalanceUseCase(deps, guard),
  },
  PrepaidGuardWorker,
  { provide: GUARD_WORKER, useExisting: PrepaidGuardWorker },
  {
    provide: BalanceThresholdUseCase,
    inject: [PREPAID_GUARD_REPOSITORY, GUARD_WORKER],
    useFactory: (guard: PrepaidGuardRepository, worker: GuardWorkerPoke) => new BalanceThresholdUseCase(guard, worker),
  },
  UsageChangedConsumer,
  { provide: ListDeadLettersUseCase, inject: [DEAD_LETTERS], useFactory: (deadLetters: DeadLetterRepository) => new ListDeadLettersUseCase(deadLetters) },
  {
    // operator runs (#9.4): plan only once the account mirror has caught up
    provide: StartBillingRunUseCase,
    inject: [BILLING_DEPS, ACCOUNT_FEED, BILLING_RUN_SETTINGS],
    useFactory: (deps: BillingDeps, feed: AccountFeed, settings: BillingRunSettings) =>
      new StartBillingRunUseCase(deps, { feed, waitMs: settings.accountFeedWaitMs }),
  },
  {
    provide: PlanDueRunsUseCase,
    inject: [BILLING_DEPS, ACCOUNT_FEED, BILLING_RUN_SETTINGS],
    useFactory: (deps: BillingDeps, feed: AccountFeed, settings: BillingRunSettings) =>
      new PlanDueRunsUseCase(deps, feed, { feedWaitMs: settings.accountFeedWaitMs }),
  },
];

export interface BillingAppOptions extends Pick<PlatformOptions, 'config' | 'logDestination'> {
  /** Overrides of the run settings (defaults from the environment). */
  run?: Partial<BillingRunSettings>;
}

@Module({})
export class BillingAppModule {
  static register(options: BillingAppOptions = {}): DynamicModule {
    const config: AppConfig = { ...loadConfig('billing'), ...options.config };
    const settings = loadBillingRunSettings(process.env, options.run);
    // BILLING_TEST_CLOCK=true: the clock is a TestClock and /v1/test/clock exists; otherwise the
    // platform's system clock and no such route (404).
    const testClock = config.billingTestClock ? new TestClock() : null;
    const controllers: Type<unknown>[] = [
      DiscountsController,
      AccountsController,
      BillingRunsController,
      BillsController,
      DeadLettersController,
      ...EXPLAIN_CONTROLLERS,
      ...DOCUMENT_CONTROLLERS,
    ];
    const extra: Provider[] = [];
    if (testClock) {
      controllers.push(TestClockController);
      extra.push({ provide: TEST_CLOCK, useValue: testClock });
    }
    return {
      module: BillingAppModule,
      imports: [
        ScheduleModule.forRoot(),
        PlatformModule.forApp({
          ...BILLING_ORM,
          streams: [STREAMS.billingEvents, STREAMS.billingJobs, STREAMS.meteringEvents],
          config: options.config,
          logDestination: options.logDestination,
          ...(testClock ? { clock: { provide: CLOCK, useValue: testClock } } : {}),
        }),
      ],
      controllers,
      providers: [
        ...extra,
        { provide: BILLING_RUN_SETTINGS, useValue: settings },
        OutboxRelay,
        {
          provide: BILLING_DEPS,
          inject: [EntityManager, RpcClient, JetStreamService, OutboxRelay, CLOCK],
          useFactory: (em: EntityManager, rpc: RpcClient, jetStream: JetStreamService, relay: OutboxRelay, clock: Clock): BillingDeps => ({
            accounts: new SqlAccountRepository(em),
            discounts: new SqlDiscountRepository(em),
            runs: new SqlBillingRunRepository(em),
            ledger: new SqlBillingLedger(em),
            bills: new SqlBillQueries(em),
            topUps: new SqlTopUpRepository(em),
            usage: new RpcUsageGateway(rpc),
            catalog: new RpcCatalogGateway(rpc),
            jobs: new JetStreamJobQueue(jetStream),
            events: new OutboxEventRelay(relay),
            clock,
            settings,
          }),
        },
        ...useCaseProviders,
        ...EXPLAIN_PROVIDERS,
        ...DOCUMENT_PROVIDERS,
        AccountCreatedHandler,
        BillingRunJobsHandler,
        BillingScheduler,
        BillingMetrics,
      ],
    };
  }
}
