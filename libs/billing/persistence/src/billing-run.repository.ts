import { EntityManager } from '@mikro-orm/postgresql';
import type { DateTime } from 'luxon';
import { Money, Period } from '@cec/kernel';
import type { BillingRunJobMessage } from '@cec/contracts';
import type { BillingRunRepository, BillingRunView, RunStatus, RunTrigger, StartRunInput, StartRunResult } from '@cec/billing-application';
import { Db, execute, pgErrorCode, rows, toDateTime, UNIQUE_VIOLATION, inTransaction } from './sql';

interface RunRow {
  id: string;
  period: string;
  attempt: number;
  trigger: RunTrigger;
  status: RunStatus;
  accounts_total: number;
  jobs_total: number;
  jobs_done: number;
  jobs_failed: number;
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
  processed: string;
  billed: string;
  total: string | null;
}

/** Run columns plus live counters from the processed markers the run wrote. */
const RUN_SELECT = `
  select r."id", r."period", r."attempt", r."trigger", r."status", r."accounts_total", r."jobs_total", r."jobs_done",
         r."jobs_failed", r."error", r."started_at", r."finished_at",
         m."processed"::text, m."billed"::text, m."total"::text
    from "billing_run" r
    left join lateral (
      select count(*) as "processed", count("bill_id") as "billed", coalesce(sum("total"), 0) as "total"
        from "account_period" where "run_id" = r."id"
    ) m on true`;

function toView(row: RunRow): BillingRunView {
  return {
    id: row.id,
    period: row.period,
    attempt: row.attempt,
    status: row.status,
    trigger: row.trigger,
    accountsTotal: row.accounts_total,
    accountsProcessed: Number(row.processed),
    accountsBilled: Number(row.billed),
    billsIssued: Number(row.billed),
    total: Money.ofCents(row.total ?? '0'),
    jobsTotal: row.jobs_total,
    jobsDone: row.jobs_done,
    jobsFailed: row.jobs_failed,
    error: row.error,
    startedAt: toDateTime(row.started_at),
    finishedAt: row.finished_at ? toDateTime(row.finished_at) : null,
  };
}

async function findRun(db: Db, runId: string): Promise<BillingRunView | null> {
  const [row] = await rows<RunRow>(db, `${RUN_SELECT} where r."id" = ?`, [runId]);
  return row ? toView(row) : null;
}

/**
 * Runs and their jobs. One running run per period is a partial unique index; (period, attempt) is
 * unique; a run's jobs are planned in the transaction that creates it, from the set of accounts
 * without a processed marker for the period.
 */
export class SqlBillingRunRepository implements BillingRunRepository {
  constructor(private readonly em: EntityManager) {}

  async start(input: StartRunInput): Promise<StartRunResult> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const result = await this.tryStart(input);
        if (result) return result;
      } catch (error) {
        if (pgErrorCode(error) !== UNIQUE_VIOLATION || attempt >= 4) throw error;
      }
      if (attempt >= 4) throw new Error(`could not start a run of ${input.period.toString()}: it kept changing`);
    }
  }

  private async tryStart(input: StartRunInput): Promise<StartRunResult | null> {
    const period = input.period.toString();
    const created = await inTransaction(this.em, async (trx) => {
      const inserted = await rows<{ id: string }>(
        trx,
        `insert into "billing_run" ("id", "period", "attempt", "trigger", "status", "started_at")
         values (?, ?, (select coalesce(max("attempt"), 0) + 1 from "billing_run" where "period" = ?), ?, 'running', ?)
         on conflict ("period") where "status" = 'running' do nothing
         returning "id"`,
        [input.id, period, period, input.trigger, input.startedAt.toJSDate()],
      );
      if (inserted.length === 0) return false;
      // the accounts not yet processed for the period, in batches of batchSize, as job rows
      await execute(
        trx,
        `insert into "billing_run_job" ("run_id", "batch", "account_ids")
         select ?, t."batch", array_agg(t."id" order by t."id")
           from (select a."id", (row_number() over (order by a."id") - 1) / ?::int + 1 as "batch"
                   from "account" a
                  where not exists (select 1 from "account_period" m where m."account_id" = a."id" and m."period" = ?)) t
          group by t."batch"`,
        [input.id, input.batchSize, period],
      );
      await execute(
        trx,
        `update "billing_run" r
            set "jobs_total" = j."jobs", "accounts_total" = j."accounts",
                "status" = case when j."jobs" = 0 then 'completed' else 'running' end,
                "finished_at" = case when j."jobs" = 0 then r."started_at" else null end
           from (select count(*)::int as "jobs", coalesce(sum(cardinality("account_ids")), 0)::int as "accounts"
                   from "billing_run_job" where "run_id" = ?) j
          where r."id" = ?`,
        [input.id, input.id],
      );
      return true;
    });
    if (created) return { run: (await findRun(this.em.getKnex(), input.id)) as BillingRunView, created: true };
    const [running] = await rows<RunRow>(this.em.getKnex(), `${RUN_SELECT} where r."period" = ? and r."status" = 'running'`, [period]);
    return running ? { run: toView(running), created: false } : null;
  }

  find(runId: string): Promise<BillingRunView | null> {
    return findRun(this.em.getKnex(), runId);
  }

  async list(period: Period | null): Promise<BillingRunView[]> {
    const list = period
      ? await rows<RunRow>(this.em.getKnex(), `${RUN_SELECT} where r."period" = ? order by r."started_at" desc, r."attempt" desc limit 200`, [period.toString()])
      : await rows<RunRow>(this.em.getKnex(), `${RUN_SELECT} order by r."started_at" desc, r."period" desc, r."attempt" desc limit 200`);
    return list.map(toView);
  }

  async runningRuns(): Promise<BillingRunView[]> {
    return (await rows<RunRow>(this.em.getKnex(), `${RUN_SELECT} where r."status" = 'running' order by r."started_at"`)).map(toView);
  }

  async hasCompletedRun(period: Period): Promise<boolean> {
    const found = await rows(this.em.getKnex(), `select 1 from "billing_run" where "period" = ? and "status" = 'completed' limit 1`, [period.toString()]);
    return found.length > 0;
  }

  async periodsWithRuns(from: Period, to: Period): Promise<Set<string>> {
    const list = await rows<{ period: string }>(
      this.em.getKnex(),
      'select distinct "period" from "billing_run" where "period" between ? and ?',
      [from.toString(), to.toString()],
    );
    return new Set(list.map((row) => row.period));
  }

  async openJobs(runId: string, onlyUnpublished: boolean): Promise<BillingRunJobMessage[]> {
    const list = await rows<{ run_id: string; period: string; batch: number; account_ids: string[] }>(
      this.em.getKnex(),
      `select j."run_id", r."period", j."batch", j."account_ids"
         from "billing_run_job" j join "billing_run" r on r."id" = j."run_id"
        where j."run_id" = ? and j."status" = 'queued' ${onlyUnpublished ? 'and j."published_at" is null' : ''}
        order by j."batch"`,
      [runId],
    );
    return list.map((job) => ({ runId: job.run_id, period: job.period, batch: job.batch, accountIds: job.account_ids }));
  }

  async markPublished(runId: string, batches: readonly number[], at: DateTime): Promise<void> {
    if (batches.length === 0) return;
    await execute(
      this.em.getKnex(),
      'update "billing_run_job" set "published_at" = coalesce("published_at", ?) where "run_id" = ? and "batch" = any(?::int[])',
      [at.toJSDate(), runId, `{${batches.join(',')}}`],
    );
  }

  async finishJob(runId: string, batch: number, error: string | null, at: DateTime): Promise<void> {
    await inTransaction(this.em, async (trx) => {
      const finished = await execute(
        trx,
        `update "billing_run_job" set "status" = ?, "finished_at" = ?, "error" = ? where "run_id" = ? and "batch" = ? and "status" = 'queued'`,
        [error ? 'failed' : 'done', at.toJSDate(), error, runId, batch],
      );
      if (finished === 0) return;
      await execute(
        trx,
        `update "billing_run"
            set "jobs_done" = "jobs_done" + 1,
                "jobs_failed" = "jobs_failed" + ?,
                "error" = coalesce("error", ?),
                "status" = case when "jobs_done" + 1 >= "jobs_total" then (case when "jobs_failed" + ? > 0 then 'failed' else 'completed' end) else "status" end,
                "finished_at" = case when "jobs_done" + 1 >= "jobs_total" then ? else "finished_at" end
          where "id" = ? and "status" = 'running'`,
        [error ? 1 : 0, error, error ? 1 : 0, at.toJSDate(), runId],
      );
    });
  }
}

