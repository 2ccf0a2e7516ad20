import { ReactNode } from 'react';
import { ApiError } from '../api/api-client';
import { formatMoney } from '../money';

/** The API's error as it answered it: `CODE: message` (and the HTTP status). */
export function ErrorBox({ error, title }: { error: ApiError | undefined; title?: string }) {
  if (!error) return null;
  return (
    <div className="error" role="alert" data-code={error.code}>
      {title ? <strong>{title}: </strong> : null}
      <code>{error.code}</code>: {error.message}
      {error.status ? <span className="muted"> (HTTP {error.status})</span> : null}
    </div>
  );
}

export function Money({ amount, currency }: { amount: string; currency: string }) {
  return <span className={`money${amount.startsWith('-') ? ' negative' : ''}`}>{formatMoney(amount, currency)}</span>;
}

export function Section({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  return (
    <section className="card" aria-label={title}>
      <header className="card-header">
        <h2>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

export function Loading({ loading }: { loading: boolean }) {
  return loading ? <p className="muted">Loading…</p> : null;
}

/** What a load shows before its data: its error, and "Loading…" while it loads with no data yet (and, unless
 * `whileError`, no error either). */
export function LoadStatus({
  load,
  whileError = false,
}: {
  load: { data?: unknown; error?: ApiError; loading: boolean };
  whileError?: boolean;
}) {
  return (
    <>
      <ErrorBox error={load.error} />
      <Loading loading={load.loading && !load.data && (whileError || !load.error)} />
    </>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status.replace(/_/g, '-')}`}>{status.replace(/_/g, ' ')}</span>;
}
