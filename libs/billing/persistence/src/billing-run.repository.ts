import { EntityManager } from '@mikro-orm/postgresql';
import type { DateTime } from 'luxon';
import { Money, Period } from '@cec/kernel';
import type { BillingRunJobMessage } from '@cec/contracts';
import type {
  AccountFailure,
  BillingRunRepository,
  BillingRunView,
  CancelRunOutcome,
  RetryFailuresOutcome,
  RunFailureView,
  RunProgress,
  RunStatus,
  RunTrigger,
  StartRunInput,
  StartRunResult,
} from '@cec/billing-application';
import { Db, execute, pgErrorCode, placeholders, rows, textArray, toDateTime, UNIQUE_VIOLATION, inTransaction } from './sql';

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
  failed: string;
  recent: string;
  first_recorded_at: Date | string | null;
  db_now: Date | string;
}

/** Issue 10: the rate of a run is measured over this many seconds (or since its first account). */
export const RATE_WINDOW_SECONDS = 30;

/**
 * Run columns plus live counters from the processed markers the run wrote and its open failures,
 * and (issue 10) the markers written in the last RATE_WINDOW_SECONDS by database time. The markers
 * are counted through `run_progress` (#11): each transaction that writes markers of a run adds one
 * row with its counts, so this read sums a row per batch, not a marker per account.
 */
const RUN_SELECT = `
  select r."id", r."period", r."attempt", r."trigger", r."status", r."accounts_total", r."jobs_total", r."jobs_done",
         r."jobs_failed", r."error", r."started_at", r."finished_at",
         m."processed"::text, m."billed"::text, m."total"::text, f."failed"::text,
         m."recent"::text, m."first_recorded_at", clock_timestamp() as "db_now"
    from "billing_run" r
    left join lateral (
      select coalesce(sum("processed"), 0) as "processed", coalesce(sum("billed"), 0) as "billed", coalesce(sum("total"), 0) as "total",
             coalesce(sum("processed") filter (where "recorded_at" > clock_timestamp() - interval '${RATE_WINDOW_SECONDS} seconds'), 0) as "recent",
             min("recorded_at") as "first_recorded_at"
        from "run_progress" where "run_id" = r."id"
    ) m on true
    left join lateral (
      select count(*) as "failed" from "billing_run_failure" where "run_id" = r."id" and "cleared_at" is null
    ) f on true`;

/** Issue 10: planned / remaining / skipped, the recent rate and the estimated completion. */
function progressOf(row: RunRow): RunProgress {
  const planned = row.accounts_total;
  const done = Number(row.processed) + Number(row.failed ?? 0);
  const running = row.status === 'running';
  const remaining = running ? Math.max(0, planned - done) : 0;
  const now = toDateTime(row.db_now).toMillis();
  const since = row.first_recorded_at ? (now - toDateTime(row.first_recorded_at).toMillis()) / 1000 : 0;
  const windowSeconds = Math.max(1, Math.min(RATE_WINDOW_SECONDS, since));
  const recent = Number(row.recent ?? 0);
  const ratePerSecond = recent > 0 ? Math.round((recent / windowSeconds) * 100) / 100 : 0;
  const estimatedCompletionAt =
    running && remaining > 0 && ratePerSecond > 0 ? toDateTime(row.db_now).plus({ milliseconds: Math.ceil((remaining / (recent / windowSeconds)) * 1000) }) : null;
  return {
    accountsPlanned: planned,
    accountsRemaining: remaining,
    accountsSkipped: Math.max(0, planned - done - remaining),
    ratePerSecond,
    windowSeconds: Math.round(windowSeconds * 10) / 10,
    estimatedCompletionAt,
  };
}

function toView(row: RunRow): BillingRunView {
  return {
    progress: progressOf(row),
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
    accountsFailed: Number(row.failed ?? 0),
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
 * without a processed marker for the period. Accounts a run could not bill are rows of
 * `billing_run_failure`, unique per (run, account); retrying them adds jobs to the same run.
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
      // the accounts not yet processed for the period, in batches of batchSize, as job rows (#10
      // review): never one with an open failure in another run of the period (it belongs to that
      // run's retry-failures), and for the scheduler never one an earlier run of the period planned
      // (a catch-up run for late accounts bills the late accounts; what a cancelled run left is
      // billed by an operator's run of the month)
      await execute(
        trx,
        `with "planned_before" as materialized (
           select distinct unnest(j."account_ids") as "id" from "billing_run_job" j join "billing_run" jr on jr."id" = j."run_id"
            where ?::text <> 'operator' and jr."period" = ? and jr."id" <> ?)
         insert into "billing_run_job" ("run_id", "batch", "account_ids")
         select ?, t."batch", array_agg(t."id" order by t."id")
           from (select a."id", (row_number() over (order by a."id") - 1) / ?::int + 1 as "batch"
                   from "account" a left join "planned_before" p on p."id" = a."id"
                  where p."id" is null
                    and not exists (select 1 from "account_period" m where m."account_id" = a."id" and m."period" = ?)
                    and not exists (select 1 from "billing_run_failure" f join "billing_run" fr on fr."id" = f."run_id"
                                     where f."account_id" = a."id" and fr."period" = ? and f."cleared_at" is null)) t
          group by t."batch"`,
        [input.trigger, period, input.id, input.id, input.batchSize, period, period],
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

  async queuedJobs(runId: string): Promise<Array<{ job: BillingRunJobMessage; streamSeq: number | null }>> {
    const list = await rows<{ run_id: string; period: string; batch: number; account_ids: string[]; stream_seq: string | null }>(
      this.em.getKnex(),
      `select j."run_id", r."period", j."batch", j."account_ids", j."stream_seq"::text
         from "billing_run_job" j join "billing_run" r on r."id" = j."run_id"
        where j."run_id" = ? and j."status" = 'queued'
        order by j."batch"`,
      [runId],
    );
    return list.map((job) => ({
      job: { runId: job.run_id, period: job.period, batch: job.batch, accountIds: job.account_ids },
      streamSeq: job.stream_seq === null ? null : Number(job.stream_seq),
    }));
  }

  async isJobQueued(runId: string, batch: number): Promise<boolean> {
    const found = await rows(this.em.getKnex(), `select 1 from "billing_run_job" where "run_id" = ? and "batch" = ? and "status" = 'queued'`, [runId, batch]);
    return found.length > 0;
  }

  async markPublished(runId: string, batches: readonly number[], at: DateTime, streamSeqs?: readonly number[]): Promise<void> {
    if (batches.length === 0) return;
    await execute(
      this.em.getKnex(),
      `update "billing_run_job" j set "published_at" = coalesce(j."published_at", ?), "stream_seq" = coalesce(p."seq", j."stream_seq")
         from unnest(?::int[], ?::bigint[]) as p("batch", "seq")
        where j."run_id" = ? and j."batch" = p."batch"`,
      [at.toJSDate(), `{${batches.join(',')}}`, `{${batches.map((_, index) => streamSeqs?.[index] ?? 'NULL').join(',')}}`, runId],
    );
  }

  async finishJob(runId: string, batch: number, failures: readonly AccountFailure[], attempts: number, at: DateTime): Promise<void> {
    const error = failures.length === 0 ? null : summarize(failures);
    await inTransaction(this.em, async (trx) => {
      // the run row first: jobs finishing at once queue here, and each later statement (a fresh
      // snapshot under READ COMMITTED) sees the failures the others committed before deciding the end
      await execute(trx, 'select 1 from "billing_run" where "id" = ? for update', [runId]);
      const finished = await execute(
        trx,
        `update "billing_run_job" set "status" = ?, "finished_at" = ?, "error" = ? where "run_id" = ? and "batch" = ? and "status" = 'queued'`,
        [error ? 'failed' : 'done', at.toJSDate(), error, runId, batch],
      );
      if (finished === 0) return;
      if (failures.length > 0) {
        // one row per (run, account): a failure again after a retry adds its attempts
        await execute(
          trx,
          `insert into "billing_run_failure" ("run_id", "account_id", "code", "message", "attempts", "failed_at")
           values ${placeholders(failures.length, 6)}
           on conflict ("run_id", "account_id") do update
              set "code" = excluded."code", "message" = excluded."message", "failed_at" = excluded."failed_at",
                  "attempts" = "billing_run_failure"."attempts" + excluded."attempts", "cleared_at" = null`,
          failures.flatMap((failure) => [runId, failure.accountId, failure.code.slice(0, 64), failure.message, attempts, at.toJSDate()]),
        );
      }
      await execute(
        trx,
        `update "billing_run"
            set "jobs_done" = "jobs_done" + 1,
                "jobs_failed" = "jobs_failed" + ?,
                "error" = coalesce("error", ?),
                "status" = case when "jobs_done" + 1 < "jobs_total" then "status"
                                when exists (select 1 from "billing_run_failure" f where f."run_id" = ? and f."cleared_at" is null)
                                  then 'completed_with_failures'
                                else 'completed' end,
                "finished_at" = case when "jobs_done" + 1 >= "jobs_total" then ? else "finished_at" end
          where "id" = ? and "status" = 'running'`,
        [error ? 1 : 0, error, runId, at.toJSDate(), runId],
      );
    });
  }

  async cancel(runId: string, at: DateTime): Promise<CancelRunOutcome> {
    return inTransaction(this.em, async (trx) => {
      const [run] = await rows<{ status: RunStatus }>(trx, 'select "status" from "billing_run" where "id" = ? for update', [runId]);
      if (!run) return 'not_found';
      if (run.status !== 'running') return 'not_running';
      await execute(trx, `update "billing_run" set "status" = 'cancelled', "finished_at" = ? where "id" = ?`, [at.toJSDate(), runId]);
      await execute(trx, `update "billing_run_job" set "status" = 'cancelled', "finished_at" = ? where "run_id" = ? and "status" = 'queued'`, [at.toJSDate(), runId]);
      return 'cancelled';
    });
  }

  async retryFailures(runId: string, batchSize: number, at: DateTime): Promise<RetryFailuresOutcome> {
    try {
      return await inTransaction(this.em, async (trx): Promise<RetryFailuresOutcome> => {
        const [run] = await rows<{ status: RunStatus; period: string }>(trx, 'select "status", "period" from "billing_run" where "id" = ? for update', [runId]);
        if (!run) return { outcome: 'not_found' };
        if (run.status !== 'completed_with_failures') return { outcome: 'no_failures' };
        // the failed accounts not processed since (another run may have billed one meanwhile)
        const failed = await rows<{ account_id: string }>(
          trx,
          `update "billing_run_failure" f set "cleared_at" = ?
            where f."run_id" = ? and f."cleared_at" is null
              and not exists (select 1 from "account_period" m where m."account_id" = f."account_id" and m."period" = ?)
           returning f."account_id"`,
          [at.toJSDate(), runId, run.period],
        );
        await execute(trx, 'update "billing_run_failure" set "cleared_at" = ? where "run_id" = ? and "cleared_at" is null', [at.toJSDate(), runId]);
        if (failed.length === 0) {
          // every failed account was billed by another run meanwhile: nothing is left to retry, the
          // run is complete (answered as such, 202 with no new job; never a 409 that changed state)
          await execute(trx, `update "billing_run" set "status" = 'completed' where "id" = ?`, [runId]);
          return { outcome: 'retrying', jobs: [] };
        }
        const accountIds = failed.map((row) => row.account_id).sort();
        const [{ next }] = await rows<{ next: number }>(trx, 'select coalesce(max("batch"), 0)::int + 1 as "next" from "billing_run_job" where "run_id" = ?', [runId]);
        const jobs = [];
        for (let start = 0; start < accountIds.length; start += batchSize) {
          jobs.push({ runId, period: run.period, batch: next + jobs.length, accountIds: accountIds.slice(start, start + batchSize) });
        }
        await execute(
          trx,
          `insert into "billing_run_job" ("run_id", "batch", "account_ids") values ${placeholders(jobs.length, 3, ['', '', '::text[]'])}`,
          jobs.flatMap((job) => [runId, job.batch, textArray(job.accountIds)]),
        );
        // running again: the partial unique index refuses it while another run of the period runs
        await execute(
          trx,
          `update "billing_run" set "status" = 'running', "finished_at" = null, "jobs_total" = "jobs_total" + ? where "id" = ?`,
          [jobs.length, runId],
        );
        return { outcome: 'retrying', jobs };
      });
    } catch (error) {
      if (pgErrorCode(error) === UNIQUE_VIOLATION) return { outcome: 'other_run_running' };
      throw error;
    }
  }

  async failures(runId: string): Promise<RunFailureView[] | null> {
    const knex = this.em.getKnex();
    const [run] = await rows<{ id: string }>(knex, 'select "id" from "billing_run" where "id" = ?', [runId]);
    if (!run) return null;
    const list = await rows<{ account_id: string; code: string; message: string; attempts: number; failed_at: Date }>(
      knex,
      `select "account_id", "code", "message", "attempts", "failed_at" from "billing_run_failure"
        where "run_id" = ? and "cleared_at" is null order by "account_id"`,
      [runId],
    );
    return list.map((row) => ({ accountId: row.account_id, code: row.code, message: row.message, attempts: row.attempts, failedAt: toDateTime(row.failed_at) }));
  }
}

/** The run's `error`: how many accounts of a job failed, and the first reasons. */
function summarize(failures: readonly AccountFailure[]): string {
  const first = failures
    .slice(0, 3)
    .map((failure) => `${failure.accountId}: ${failure.code}: ${failure.message}`)
    .join('; ');
  return `${failures.length} account(s) not billed: ${first}`;
}

