import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { segment } from '../api/api-client';
import { BillingRun, RunFailure } from '../api/views';
import { ErrorBox, Loading, Money, Section, StatusBadge } from '../components/common';
import { Column, DataTable } from '../components/data-table';
import { formatEta, formatInstant } from '../periods';
import { useAction, useLoad, useSession } from '../session';

const POLL_MS = 1000;

const failureColumns: Column<RunFailure>[] = [
  {
    title: 'Account',
    cell: (failure) => <Link to={`/accounts/${encodeURIComponent(failure.accountId)}`}>{failure.accountId}</Link>,
  },
  { title: 'Code', cell: (failure) => <code>{failure.code}</code> },
  { title: 'Message', cell: (failure) => failure.message },
  { title: 'Attempts', numeric: true, cell: (failure) => failure.attempts },
  { title: 'Failed at (UTC+8)', cell: (failure) => formatInstant(failure.failedAt) },
];

/** One run: live progress with the ETA (GET /v1/billing-runs/:id, polled while it runs), failures, retry, cancel. */
export function RunPage() {
  const id = useParams()['id'] ?? '';
  const { api } = useSession();
  const run = useLoad((client) => client.get<BillingRun>('billing', `/v1/billing-runs/${segment(id)}`), id);
  const failures = useLoad(
    (client) => client.get<RunFailure[]>('billing', `/v1/billing-runs/${segment(id)}/failures`),
    id,
  );
  const { error: actionError, run: runAction } = useAction();
  const [now, setNow] = useState(() => new Date());
  const running = run.data?.status === 'running';
  const { reload: reloadRun } = run;
  const { reload: reloadFailures } = failures;

  useEffect(() => {
    if (!running) return undefined;
    const timer = setInterval(() => {
      setNow(new Date());
      reloadRun();
      reloadFailures();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [running, reloadRun, reloadFailures]);

  async function act(action: 'retry-failures' | 'cancel'): Promise<void> {
    await runAction(async () => {
      await api.post<BillingRun>('billing', `/v1/billing-runs/${segment(id)}/${action}`);
      run.reload();
      failures.reload();
    });
  }

  const data = run.data;
  const done = data ? data.accountsProcessed + data.accountsFailed + data.accountsSkipped : 0;
  const percent =
    data && data.accountsPlanned > 0
      ? Math.floor((done * 100) / data.accountsPlanned)
      : data && data.status !== 'running'
        ? 100
        : 0;
  const eta = data ? formatEta(data.estimatedCompletionAt, now) : null;

  return (
    <>
      <Section
        title={`Billing run ${id}`}
        actions={
          <div className="actions">
            {data?.status === 'running' ? <button onClick={() => act('cancel')}>Cancel run</button> : null}
            {data && data.accountsFailed > 0 && data.status !== 'running' ? (
              <button onClick={() => act('retry-failures')}>Retry failures</button>
            ) : null}
          </div>
        }
      >
        <ErrorBox error={run.error} />
        <ErrorBox error={actionError} />
        <Loading loading={run.loading && !data} />
        {data ? (
          <>
            <p>
              <strong>{data.period}</strong> · <StatusBadge status={data.status} /> · {data.trigger}, attempt{' '}
              {data.attempt} · started {formatInstant(data.startedAt)}
              {data.finishedAt ? `, finished ${formatInstant(data.finishedAt)}` : ''}
            </p>
            <div
              className="progress"
              role="progressbar"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={percent}
              aria-label="run progress"
            >
              <div className="progress-bar" style={{ width: `${percent}%` }} />
            </div>
            <p data-testid="run-progress">
              {done} of {data.accountsPlanned} accounts ({percent}%) · {data.accountsRemaining} remaining ·{' '}
              {data.ratePerSecond.toFixed(1)} accounts/s over {data.windowSeconds} s
              {eta ? ` · ETA ${eta} (${formatInstant(data.estimatedCompletionAt)})` : ''}
            </p>
            <dl className="facts">
              <dt>Billed</dt>
              <dd>{data.accountsBilled}</dd>
              <dt>Bills issued</dt>
              <dd>{data.billsIssued}</dd>
              <dt>Total</dt>
              <dd>
                <Money amount={data.total} currency="USD" />
              </dd>
              <dt>Failed</dt>
              <dd>{data.accountsFailed}</dd>
              <dt>Skipped</dt>
              <dd>{data.accountsSkipped}</dd>
              {data.error ? (
                <>
                  <dt>Error</dt>
                  <dd>{data.error}</dd>
                </>
              ) : null}
            </dl>
            <p>
              <Link to={`/runs`}>All runs</Link>
            </p>
          </>
        ) : null}
      </Section>
      <Section title="Failures">
        <ErrorBox error={failures.error} />
        <DataTable
          label="run failures"
          columns={failureColumns}
          rows={failures.data}
          rowKey={(failure) => failure.accountId}
          empty="No failures."
        />
      </Section>
    </>
  );
}
