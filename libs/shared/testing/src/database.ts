import { Client } from 'pg';
import type { MigrationObject } from '@mikro-orm/core';
import type { EntityClass, EntitySchema } from '@mikro-orm/core';
import { AppName, ensureDatabase, withOrm, runMigrations } from '@cec/platform';
import { TEST_DATABASE_URL } from './test-env';

/** Drops the app's schema in the test database and migrates it afresh: a clean slate per suite. */
export async function resetSchema(input: { app: AppName; entities: Array<EntityClass<object> | EntitySchema>; migrations: MigrationObject[]; schema?: string }): Promise<void> {
  const schema = input.schema ?? input.app;
  await ensureDatabase(TEST_DATABASE_URL);
  await sql(`drop schema if exists "${schema}" cascade`);
  await withOrm({ ...input, databaseUrl: TEST_DATABASE_URL, schema }, (orm) => runMigrations(orm, schema));
}

/** Runs one statement against the test database (for assertions on what was stored). */
export async function sql<T extends Record<string, unknown> = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}
