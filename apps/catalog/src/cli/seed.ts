import 'reflect-metadata';
import { SystemClock } from '@cec/kernel';
import { withOrm } from '@cec/platform';
import { SeedSampleCatalogUseCase } from '@cec/catalog-application';
import { MikroOrmCatalogRepository } from '@cec/catalog-persistence';
import { EntityManager } from '@mikro-orm/postgresql';
import { CATALOG_ORM } from '../catalog.module-def';

/** Loads the sample catalog (R1.1) when the catalog is empty. */
withOrm(CATALOG_ORM, async (orm) => {
  const repository = new MikroOrmCatalogRepository(orm.em as EntityManager);
  return new SeedSampleCatalogUseCase({ repository, clock: new SystemClock() }).execute();
})
  .then((result) =>
    console.log(result.seeded ? `catalog: sample catalog loaded (${result.products.join(', ')}); its prices are sample data` : 'catalog: not empty, sample catalog not loaded'),
  )
  .catch((error: unknown) => {
    console.error(`catalog: seed failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
