import { MikroORM } from '@mikro-orm/postgresql';
import type { EntityClass, EntitySchema, MigrationObject } from '@mikro-orm/core';
import { AppName, loadConfig } from '../config/app-config';
import { createOrmOptions } from './mikro-orm.config';
import { ensureDatabase, runMigrations } from './migrations';

export interface StandaloneOrmInput {
  app: AppName;
  entities: Array<EntityClass<object> | EntitySchema>;
  migrations: MigrationObject[];
  databaseUrl?: string;
  schema?: string;
}

/** For command-line steps (migrate, seed, benchmarks): an ORM without booting Nest. */
export async function withOrm<T>(input: StandaloneOrmInput, work: (orm: MikroORM) => Promise<T>): Promise<T> {
  const config = loadConfig(input.app);
  const databaseUrl = input.databaseUrl ?? config.databaseUrl;
  const schema = input.schema ?? config.schema;
  const orm = await MikroORM.init(createOrmOptions({ databaseUrl, schema, entities: input.entities, migrations: input.migrations, poolMax: 4 }));
  try {
    return await work(orm);
  } finally {
    await orm.close(true);
  }
}

/** The migrate step of an app: creates the database if missing, then runs pending migrations. */
export async function migrateApp(input: StandaloneOrmInput): Promise<string[]> {
  await ensureDatabase(input.databaseUrl ?? loadConfig(input.app).databaseUrl);
  return withOrm(input, (orm) => runMigrations(orm, input.schema ?? loadConfig(input.app).schema));
}
