import { FormEvent, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { ApiError, queryString } from '../api/api-client';
import { BillingRun, TestClock } from '../api/views';
import { ErrorBox, Money, Section, StatusBadge } from '../components/common';
import { formatInstant, lastEndedPeriod } from '../periods';
import { asApiError, useLoad, useSession } from '../session';

/** Billing runs: the list (newest first), and starting the run of an ended month (POST /v1/billing-runs). */
export function RunsPage() {
  const { api } = useSession();
  const navigate = useNavigate();
  const [filter, setFilter] = useState('');
  const [period, setPeriod] = useState(() => lastEndedPeriod(new Date()));
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
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
    setBusy(true);
    setError(undefined);
    try {
      const run = await api.post<BillingRun>('billing', '/v1/billing-runs', { period: period.trim() });
      navigate(`/runs/${encodeURIComponent(run.id)}`);
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
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
        <table aria-label="billing runs">
          <thead>
            <tr>
              <th>Run</th>
              <th>Month</th>
              <th>Status</th>
              <th>Trigger</th>
              <th className="num">Attempt</th>
              <th className="num">Processed / planned</th>
              <th className="num">Failed</th>
              <th className="num">Bills</th>
              <th className="num">Total</th>
              <th>Started (UTC+8)</th>
            </tr>
          </thead>
          <tbody>
            {(runs.data ?? []).map((run) => (
              <tr key={run.id}>
                <td>
                  <Link to={`/runs/${encodeURIComponent(run.id)}`}>{run.id}</Link>
                </td>
                <td>{run.period}</td>
                <td>
                  <StatusBadge status={run.status} />
                </td>
                <td>{run.trigger}</td>
                <td className="num">{run.attempt}</td>
                <td className="num">
                  {run.accountsProcessed} / {run.accountsPlanned}
                </td>
                <td className="num">{run.accountsFailed}</td>
                <td className="num">{run.billsIssued}</td>
                <td className="num">
                  <Money amount={run.total} currency="USD" />
                </td>
                <td>{formatInstant(run.startedAt)}</td>
              </tr>
            ))}
            {runs.data && runs.data.length === 0 ? (
              <tr>
                <td colSpan={10} className="muted">
                  No runs.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </Section>
    </>
  );
}
