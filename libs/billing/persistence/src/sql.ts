import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';

/** Something that runs raw SQL with `?` bindings: knex, or a transaction of {@link inTransaction}. */
export interface Db {
  raw(text: string, bindings: Knex.RawBinding[]): PromiseLike<unknown>;
}

export async function rows<T>(db: Db, text: string, bindings: readonly unknown[] = []): Promise<T[]> {
  const result = (await db.raw(text, bindings as Knex.RawBinding[])) as { rows: T[] };
  return result.rows;
}

export async function execute(db: Db, text: string, bindings: readonly unknown[] = []): Promise<number> {
  const result = (await db.raw(text, bindings as Knex.RawBinding[])) as { rowCount: number | null };
  return result.rowCount ?? 0;
}

interface PgConnection {
  query(config: string | { name?: string; text: string; values?: readonly unknown[] }): Promise<{ rows: unknown[]; rowCount: number | null }>;
}

interface Statement {
  name: string | undefined;
  text: string;
}

const statements = new Map<string, Statement>();

/**
 * `?` placeholders as the driver's `$1, $2, …` (the texts here hold no `?` of their own), and a
 * name, so that each pooled connection parses and plans a statement once (prepared statements).
 */
function statementOf(text: string): Statement {
  let statement = statements.get(text);
  if (statement === undefined) {
    let index = 0;
    const converted = text.replace(/\?/g, () => `$${++index}`);
    const cacheable = statements.size < 500;
    statement = { name: cacheable ? `billing_${statements.size + 1}` : undefined, text: converted };
    if (cacheable) statements.set(text, statement);
  }
  return statement;
}

/**
 * A short transaction on one pooled connection of the ORM, straight through the pg driver: the hot
 * path of a run pays for BEGIN, its statements and COMMIT, and no query builder or unit of work.
 */
export async function inTransaction<T>(em: EntityManager, work: (db: Db) => Promise<T>): Promise<T> {
  const client = em.getKnex().client as { acquireConnection(): Promise<PgConnection>; releaseConnection(connection: PgConnection): Promise<void> };
  const connection = await client.acquireConnection();
  const db: Db = { raw: (text, bindings) => connection.query({ ...statementOf(text), values: bindings }) };
  try {
    await connection.query('begin');
    const result = await work(db);
    await connection.query('commit');
    return result;
  } catch (error) {
    await connection.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await client.releaseConnection(connection);
  }
}

/**
 * A PostgreSQL array literal of text values (`{"a","b"}`), bound as one parameter with `?::text[]`;
 * knex would otherwise expand a JS array into a list of parameters.
 */
export function textArray(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;
}

/** `(?, ?, ?), (?, ?, ?)` for a multi-row insert of `rowCount` rows of `width` columns. */
export function placeholders(rowCount: number, width: number, casts: readonly string[] = []): string {
  const row = `(${Array.from({ length: width }, (_, index) => `?${casts[index] ?? ''}`).join(', ')})`;
  return Array.from({ length: rowCount }, () => row).join(', ');
}

/** A timestamptz as the driver hands it (a Date, or text such as `2026-11-27 10:12:25.241+00`). */
export function toDateTime(value: Date | string): DateTime {
  if (typeof value !== 'string') return DateTime.fromJSDate(value, { zone: 'utc' });
  const sqlForm = DateTime.fromSQL(value, { zone: 'utc' });
  const parsed = sqlForm.isValid ? sqlForm : DateTime.fromISO(value, { zone: 'utc' });
  if (!parsed.isValid) throw new Error(`not a timestamp: ${value}`);
  return parsed.toUTC();
}

export function pgErrorCode(error: unknown): string | undefined {
  if (error !== null && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';
export const EXCLUSION_VIOLATION = '23P01';
export const CHECK_VIOLATION = '23514';
