import { DynamicModule, Module, Provider } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { Clock, CLOCK } from '@cec/kernel';
import { PlatformModule, PlatformOptions } from '@cec/platform';
import {
  AddPriceVersionUseCase,
  CATALOG_REPOSITORY,
  CatalogDeps,
  CatalogRepository,
  CreateProductUseCase,
  GetProductUseCase,
  ListProductsUseCase,
  LookUpProductUseCase,
  ResolvePricesUseCase,
  SeedSampleCatalogUseCase,
} from '@cec/catalog-application';
import { MikroOrmCatalogRepository } from '@cec/catalog-persistence';
import { CATALOG_ORM } from './catalog.module-def';
import { ProductsController } from './http/products.controller';
import { CatalogRpcHandler } from './messaging/catalog-rpc.handler';

const USE_CASES = [
  CreateProductUseCase,
  GetProductUseCase,
  ListProductsUseCase,
  AddPriceVersionUseCase,
  LookUpProductUseCase,
  ResolvePricesUseCase,
  SeedSampleCatalogUseCase,
];

const useCaseProviders: Provider[] = USE_CASES.map((useCase) => ({
  provide: useCase,
  inject: [CATALOG_REPOSITORY, CLOCK],
  useFactory: (repository: CatalogRepository, clock: Clock) => new useCase({ repository, clock } satisfies CatalogDeps),
}));

@Module({})
export class CatalogAppModule {
  static register(overrides: Pick<PlatformOptions, 'config' | 'clock' | 'logDestination'> = {}): DynamicModule {
    return {
      module: CatalogAppModule,
      imports: [PlatformModule.forApp({ ...CATALOG_ORM, streams: [], ...overrides })],
      controllers: [ProductsController, CatalogRpcHandler],
      providers: [
        { provide: CATALOG_REPOSITORY, inject: [EntityManager], useFactory: (em: EntityManager) => new MikroOrmCatalogRepository(em) },
        ...useCaseProviders,
      ],
    };
  }
}
