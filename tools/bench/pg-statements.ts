/**
 * Where PostgreSQL's time goes during a timed phase (#11): when the server the bench runs on loads
 * pg_stat_statements (a private cluster given with BENCH_POSTGRES_PORT; the machine's own does not
 * load it), the statistics are reset when the phase starts and the top statements by execution time
 * are written to a text file when it ends. Elsewhere this does nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Client } from 'pg';

export interface StatementProfiler {
  /** Writes the top statements since the reset to `path`, with `title` on top; returns their total seconds. */
  write(path: string, title: string): Promise<number>;
}

/** Resets pg_stat_statements and returns a profiler, or null when the server does not load it. */
export async function startStatementProfile(db: Client): Promise<StatementProfiler | null> {
  const preload = (await db.query<{ libs: string }>("select current_setting('shared_preload_libraries') as libs")).rows[0].libs;
  if (!preload.split(',').some((lib) => lib.trim() === 'pg_stat_statements')) return null;
  await db.query('create extension if not exists pg_stat_statements');
  await db.query('select pg_stat_statements_reset()');
  const tablesBefore = await tableActivity(db);
  return {
    async write(path: string, title: string): Promise<number> {
      const { rows } = await db.query<{
        seconds: string;
        calls: string;
        rows: string;
        blocks_per_call: string;
        wal_mb: string;
        query: string;
      }>(
        `select round(total_exec_time::numeric / 1000, 2)::text as seconds, calls::text, rows::text,
                round((shared_blks_hit + shared_blks_read)::numeric / greatest(calls, 1))::text as blocks_per_call,
                round(wal_bytes / 1e6, 1)::text as wal_mb, left(regexp_replace(query, '\\s+', ' ', 'g'), 200) as query
           from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
          order by total_exec_time desc limit 25`,
      );
      const [total] = (
        await db.query<{ seconds: string; calls: string; wal_mb: string }>(
          `select round(sum(total_exec_time)::numeric / 1000, 2)::text as seconds, sum(calls)::text as calls, round(sum(wal_bytes) / 1e6, 1)::text as wal_mb
             from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())`,
        )
      ).rows;
      const lines = [
        title,
        `all statements: ${total.seconds} s of execution, ${total.calls} calls, ${total.wal_mb} MB of WAL`,
        '',
        'seconds | calls | rows | blocks/call | WAL MB | statement',
        ...rows.map((row) => `${row.seconds} | ${row.calls} | ${row.rows} | ${row.blocks_per_call} | ${row.wal_mb} | ${row.query}`),
        '',
        ...tableLines(tablesBefore, await tableActivity(db)),
        '',
      ];
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, lines.join('\n'));
      return Number(total.seconds);
    },
  };
}

interface TableActivity {
  inserted: number;
  updated: number;
  hotUpdated: number;
  deleted: number;
  heapBlocks: number;
  indexBlocks: number;
  indexes: number;
}

/** Rows written and blocks touched per table (cumulative statistics; diffed over the phase). */
async function tableActivity(db: Client): Promise<Map<string, TableActivity>> {
  // the cumulative statistics are flushed by each backend at most once a second
  await db.query('select pg_stat_clear_snapshot()');
  const { rows } = await db.query<{ name: string; ins: string; upd: string; hot: string; del: string; heap: string; idx: string; indexes: string }>(
    `select t.schemaname || '.' || t.relname as name, t.n_tup_ins::text as ins, t.n_tup_upd::text as upd, t.n_tup_hot_upd::text as hot,
            t.n_tup_del::text as del, (coalesce(io.heap_blks_hit, 0) + coalesce(io.heap_blks_read, 0))::text as heap,
            (coalesce(io.idx_blks_hit, 0) + coalesce(io.idx_blks_read, 0))::text as idx,
            (select count(*) from pg_index i where i.indrelid = t.relid)::text as indexes
       from pg_stat_user_tables t join pg_statio_user_tables io on io.relid = t.relid`,
  );
  return new Map(
    rows.map((row) => [
      row.name,
      {
        inserted: Number(row.ins),
        updated: Number(row.upd),
        hotUpdated: Number(row.hot),
        deleted: Number(row.del),
        heapBlocks: Number(row.heap),
        indexBlocks: Number(row.idx),
        indexes: Number(row.indexes),
      },
    ]),
  );
}

/** The tables written or read during the phase, most blocks first. */
function tableLines(before: Map<string, TableActivity>, after: Map<string, TableActivity>): string[] {
  const diffs = [...after].map(([name, a]) => {
    const b = before.get(name);
    const minus = (key: keyof TableActivity): number => a[key] - (b ? b[key] : 0);
    return {
      name,
      inserted: minus('inserted'),
      updated: minus('updated'),
      hot: minus('hotUpdated'),
      deleted: minus('deleted'),
      heap: minus('heapBlocks'),
      idx: minus('indexBlocks'),
      indexes: a.indexes,
    };
  });
  const busy = diffs.filter((d) => d.inserted + d.updated + d.deleted > 0 || d.heap + d.idx > 1000).sort((x, y) => y.heap + y.idx - (x.heap + x.idx));
  return [
    'per table during the phase (pg_stat_user_tables, pg_statio_user_tables):',
    'table | indexes | inserted | updated (HOT) | deleted | heap blocks | index blocks',
    ...busy.map((d) => `${d.name} | ${d.indexes} | ${d.inserted} | ${d.updated} (${d.hot}) | ${d.deleted} | ${d.heap} | ${d.idx}`),
  ];
}
