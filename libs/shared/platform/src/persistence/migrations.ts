import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';

/** Creates the database of `databaseUrl` when it does not exist (connects to `postgres`). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`database name "${name}" must be letters, digits and _`);
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      try {
        await client.query(`create database "${name}"`);
      } catch (error) {
        // another process created it at the same moment
        if (!String(error).includes('already exists')) throw error;
      }
    }
  } finally {
    await client.end();
  }
}

/** Runs the pending migrations of an app's schema; a step of its own, not on every boot. */
export async function runMigrations(orm: MikroORM, schema: string): Promise<string[]> {
  await orm.em.getConnection().execute(`create schema if not exists "${schema}"`);
  const migrator = orm.getMigrator();
  const executed = await migrator.up();
  return executed.map((migration) => migration.name);
}
