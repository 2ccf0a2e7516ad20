import { FormEvent, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { queryString } from '../api/api-client';
import { BillingRun, TestClock } from '../api/views';
import { ErrorBox, Money, Section, StatusBadge } from '../components/common';
import { Column, DataTable } from '../components/data-table';
import { formatInstant, lastEndedPeriod } from '../periods';
import { useAction, useLoad, useSession } from '../session';

const runColumns: Column<BillingRun>[] = [
  { title: 'Run', cell: (run) => <Link to={`/runs/${encodeURIComponent(run.id)}`}>{run.id}</Link> },
  { title: 'Month', cell: (run) => run.period },
  { title: 'Status', cell: (run) => <StatusBadge status={run.status} /> },
  { title: 'Trigger', cell: (run) => run.trigger },
  { title: 'Attempt', numeric: true, cell: (run) => run.attempt },
  {
    title: 'Processed / planned',
    numeric: true,
    cell: (run) => (
      <>
        {run.accountsProcessed} / {run.accountsPlanned}
      </>
    ),
  },
  { title: 'Failed', numeric: true, cell: (run) => run.accountsFailed },
  { title: 'Bills', numeric: true, cell: (run) => run.billsIssued },
  { title: 'Total', numeric: true, cell: (run) => <Money amount={run.total} currency="USD" /> },
  { title: 'Started (UTC+8)', cell: (run) => formatInstant(run.startedAt) },
];

/** Billing runs: the list (newest first), and starting the run of an ended month (POST /v1/billing-runs). */
export function RunsPage() {
  const { api } = useSession();
  const navigate = useNavigate();
  const [filter, setFilter] = useState('');
  const [period, setPeriod] = useState(() => lastEndedPeriod(new Date()));
  const { busy, error, run: act } = useAction();
  const runs = useLoad(
    (client) => client.get<BillingRun[]>('billing', `/v1/billing-runs${queryString({ period: filter })}`),
    filter,
  );
  // the default month is the last one billing's clock has ended: the test clock's when it is on (a 404:
  // it is off, the browser's clock then); the form waits for it so the value never changes under the operator
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let current = true;
    api.get<TestClock>('billing', '/v1/test/clock').then(
      (clock) => {
        if (!current) return;
        setPeriod(lastEndedPeriod(new Date(clock.now)));
        setReady(true);
      },
      () => current && setReady(true),
    );
    return () => {
      current = false;
    };
  }, [api]);

  async function start(event: FormEvent): Promise<void> {
    event.preventDefault();
    await act(async () => {
      const run = await api.post<BillingRun>('billing', '/v1/billing-runs', { period: period.trim() });
      navigate(`/runs/${encodeURIComponent(run.id)}`);
    });
  }

  return (
    <>
      <Section title="Start a billing run">
        <form className="inline-form" onSubmit={start} aria-label="start a run">
          <label htmlFor="run-period">Month (YYYY-MM, UTC+8; it must have ended)</label>
          <input
            id="run-period"
            value={period}
            disabled={!ready}
            onChange={(event) => setPeriod(event.target.value)}
            placeholder="2026-04"
          />
          <button type="submit" disabled={busy || !ready || !period.trim()}>
            Start run
          </button>
        </form>
        <ErrorBox error={error} />
        <p className="muted small">
          A run bills only the accounts not yet billed for the month; while one runs for the month, that run is returned
          (R7.2).
        </p>
      </Section>
      <Section title="Billing runs" actions={<button onClick={runs.reload}>Refresh</button>}>
        <form className="inline-form" onSubmit={(event) => event.preventDefault()}>
          <input
            aria-label="Filter by month"
            placeholder="filter: YYYY-MM"
            value={filter}
            onChange={(event) => setFilter(event.target.value.trim())}
          />
        </form>
        <ErrorBox error={runs.error} />
        <DataTable label="billing runs" columns={runColumns} rows={runs.data} rowKey={(run) => run.id} empty="No runs." />
      </Section>
    </>
  );
}
