import { Options, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { EntityClass, EntitySchema } from '@mikro-orm/core';
import type { MigrationObject } from '@mikro-orm/core';

export interface OrmConfigInput {
  databaseUrl: string;
  /** The PostgreSQL schema the app owns; its migrations table lives there too. */
  schema: string;
  entities: Array<EntityClass<object> | EntitySchema>;
  migrations: MigrationObject[];
  debug?: boolean;
  poolMax?: number;
}

/** One PostgreSQL database, one schema per app; migrations are explicit classes (no globbing). */
export function createOrmOptions(input: OrmConfigInput): Options {
  return {
    driver: PostgreSqlDriver,
    clientUrl: input.databaseUrl,
    schema: input.schema,
    entities: input.entities,
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: false },
    debug: input.debug ?? false,
    allowGlobalContext: false,
    forceUtcTimezone: true,
    driverOptions: {
      // unqualified names (migrations, raw SQL) resolve to the app's own schema; a connection
      // attempt to an unreachable server gives up after 5 s, dead peers are noticed by keepalive
      connection: { options: `-c search_path="${input.schema}"`, connectionTimeoutMillis: 5000, keepAlive: true },
      // while PostgreSQL is away a query waits at most 10 s for a connection, then fails (the
      // pool drops connections whose backend ended and opens new ones once it is back: #9.2)
      acquireConnectionTimeout: 10_000,
    },
    pool: { min: 1, max: input.poolMax ?? 10 },
    migrations: {
      tableName: `${input.schema}.mikro_orm_migrations`,
      migrationsList: input.migrations,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
  };
}
