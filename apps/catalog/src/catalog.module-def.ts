import { CATALOG_ENTITIES, CATALOG_MIGRATIONS } from '@cec/catalog-persistence';

/** What the catalog app persists; shared by the Nest module and the command-line steps. */
export const CATALOG_ORM = { app: 'catalog' as const, entities: CATALOG_ENTITIES, migrations: CATALOG_MIGRATIONS };
