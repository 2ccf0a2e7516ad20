import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { addGaugeFiller, scrapedGauge, sharedRead } from '@cec/platform';

interface RunRow {
  id: string;
  period: string;
  status: string;
  planned: number;
  billed: string;
  failed: string;
  elapsed_seconds: string;
}

interface CurrencyRow {
  currency: string;
  bills: string;
  amount: string;
}

const RUN_LABELS = ['run_id', 'period', 'status'];

/**
 * Billing's Prometheus gauges, computed from the database when Prometheus scrapes, so that they
 * are right with any number of replicas (each replica reports the same totals: aggregate with
 * `max`, never `sum`) and after restarts:
 * - `cec_billing_run_accounts{run_id,period,status,state}` planned / billed / failed accounts of
 *   every running run and of the latest run, and `cec_billing_run_rate_accounts_per_second` (billed
 *   accounts over the run's time so far, from its start to its end or now);
 * - `cec_billing_bills_issued{currency}` and `cec_billing_amount_billed{currency}` (sum of bill
 *   totals), summed from `bill_tally` (one row per batch and currency, written with the bills), not
 *   from every bill. Amounts are floats here by nature of Prometheus: for metrics only, never for money;
 * - `cec_billing_guard_waiting_accounts`: accounts marked for the prepaid guard, not re-rated yet.
 */
@Injectable()
export class BillingMetrics implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly removals: Array<() => void> = [];

  constructor(private readonly em: EntityManager) {}

  onApplicationBootstrap(): void {
    scrapedGauge('cec_billing_run_accounts', 'Accounts of a billing run by state: planned, billed, failed', [...RUN_LABELS, 'state']);
    scrapedGauge('cec_billing_run_rate_accounts_per_second', 'Accounts billed per second over the run so far', RUN_LABELS);
    scrapedGauge('cec_billing_bills_issued', 'Bills issued (all periods), by currency', ['currency']);
    scrapedGauge('cec_billing_amount_billed', 'Sum of the totals of all bills issued, by currency (float: metrics only)', ['currency']);
    scrapedGauge('cec_billing_guard_waiting_accounts', 'Accounts marked for the prepaid guard and not re-rated yet (guard_dirty rows)', []);
    const runs = sharedRead(() =>
      this.em.fork().getConnection().execute<RunRow[]>(
        `select r."id", r."period", r."status", r."accounts_total" as "planned",
                (select coalesce(sum(p."billed"), 0) from "run_progress" p where p."run_id" = r."id") as "billed",
                (select coalesce(sum(cardinality(j."account_ids")), 0) from "billing_run_job" j
                  where j."run_id" = r."id" and j."status" = 'failed') as "failed",
                greatest(extract(epoch from coalesce(r."finished_at", now()) - r."started_at"), 1) as "elapsed_seconds"
           from "billing_run" r
          where r."status" = 'running' or r."id" = (select "id" from "billing_run" order by "started_at" desc limit 1)`,
      ),
    );
    const currencies = sharedRead(() =>
      this.em.fork().getConnection().execute<CurrencyRow[]>(
        // the tally the bills' own transactions keep (#11, migration 0012): one row per batch and
        // currency, never a read of every bill
        `select "currency", sum("bills") as "bills", sum("total") as "amount" from "bill_tally" group by "currency"`,
      ),
    );
    this.removals.push(
      addGaugeFiller('cec_billing_run_accounts', async (gauge) => {
        for (const run of await runs()) {
          const labels = { run_id: run.id, period: run.period, status: run.status };
          gauge.set({ ...labels, state: 'planned' }, Number(run.planned));
          gauge.set({ ...labels, state: 'billed' }, Number(run.billed));
          gauge.set({ ...labels, state: 'failed' }, Number(run.failed));
        }
      }),
      addGaugeFiller('cec_billing_run_rate_accounts_per_second', async (gauge) => {
        for (const run of await runs()) {
          gauge.set({ run_id: run.id, period: run.period, status: run.status }, Number(run.billed) / Number(run.elapsed_seconds));
        }
      }),
      addGaugeFiller('cec_billing_bills_issued', async (gauge) => {
        for (const row of await currencies()) gauge.set({ currency: row.currency }, Number(row.bills));
      }),
      addGaugeFiller('cec_billing_amount_billed', async (gauge) => {
        for (const row of await currencies()) gauge.set({ currency: row.currency }, Number(row.amount));
      }),
      addGaugeFiller('cec_billing_guard_waiting_accounts', async (gauge) => {
        const [row] = await this.em.fork().getConnection().execute<Array<{ waiting: string }>>('select count(*) as "waiting" from "guard_dirty"');
        gauge.set(Number(row.waiting));
      }),
    );
  }

  onApplicationShutdown(): void {
    for (const remove of this.removals.splice(0)) remove();
  }
}
