import { ReactNode, useState } from 'react';
import { ApiError } from '../api/api-client';
import { BillingDeadLetter, ReplayResult, UsageDeadLetter } from '../api/views';
import { ErrorBox, Section } from '../components/common';
import { formatInstant } from '../periods';
import { asApiError, useLoad, useSession } from '../session';

/** Usage dead letters (metering, R6.3): inspect and replay; billing's dead letters, read only. */
export function DeadLettersPage() {
  const { api } = useSession();
  const usage = useLoad(
    (client) => client.get<UsageDeadLetter[]>('metering', '/v1/usage-events/rejected?limit=100'),
    'usage',
  );
  const billing = useLoad(
    (client) => client.get<BillingDeadLetter[]>('billing', '/v1/dead-letters?limit=100'),
    'billing',
  );
  const [open, setOpen] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<{ id: string; text: string } | undefined>();
  const [error, setError] = useState<ApiError | undefined>();

  async function replay(id: string): Promise<void> {
    setError(undefined);
    setOutcome(undefined);
    try {
      const result = await api.post<ReplayResult>(
        'metering',
        `/v1/usage-events/rejected/${encodeURIComponent(id)}/replay`,
      );
      setOutcome({
        id,
        text: result.outcome === 'rejected' ? `refused again: ${result.code}: ${result.message}` : result.outcome,
      });
      usage.reload();
    } catch (caught) {
      setError(asApiError(caught));
    }
  }

  return (
    <>
      <Section title="Usage dead letters (metering)" actions={<button onClick={usage.reload}>Refresh</button>}>
        <ErrorBox error={usage.error} />
        <ErrorBox error={error} title="Replay" />
        {outcome ? (
          <p className="ok" role="status">
            Dead letter {outcome.id}: {outcome.text}
          </p>
        ) : null}
        <table aria-label="usage dead letters">
          <thead>
            <tr>
              <th>Id</th>
              <th>Source</th>
              <th>Code</th>
              <th>Message</th>
              <th>Received (UTC+8)</th>
              <th>Replayed</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(usage.data ?? []).map((letter) => (
              <LetterRows
                key={letter.id}
                id={letter.id}
                columns={[
                  letter.source,
                  letter.code,
                  letter.message,
                  formatInstant(letter.receivedAt),
                  letter.replayedAt ? `${letter.replayOutcome} ${formatInstant(letter.replayedAt)}` : '—',
                ]}
                payload={letter.payload}
                open={open === letter.id}
                onToggle={() => setOpen(open === letter.id ? null : letter.id)}
                action={<button onClick={() => replay(letter.id)}>Replay</button>}
              />
            ))}
            {usage.data && usage.data.length === 0 ? (
              <tr>
                <td colSpan={7} className="muted">
                  No dead letters.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </Section>
      <Section
        title="Billing dead letters (messages billing could not use)"
        actions={<button onClick={billing.reload}>Refresh</button>}
      >
        <ErrorBox error={billing.error} />
        <table aria-label="billing dead letters">
          <thead>
            <tr>
              <th>Id</th>
              <th>Subject</th>
              <th>Code</th>
              <th>Message</th>
              <th>Received (UTC+8)</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(billing.data ?? []).map((letter) => (
              <LetterRows
                key={letter.id}
                id={`b${letter.id}`}
                columns={[letter.subject, letter.code, letter.message, formatInstant(letter.receivedAt)]}
                payload={letter.payload}
                open={open === `b${letter.id}`}
                onToggle={() => setOpen(open === `b${letter.id}` ? null : `b${letter.id}`)}
              />
            ))}
            {billing.data && billing.data.length === 0 ? (
              <tr>
                <td colSpan={6} className="muted">
                  No dead letters.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </Section>
    </>
  );
}

function LetterRows(props: {
  id: string;
  columns: string[];
  payload: unknown;
  open: boolean;
  onToggle: () => void;
  action?: ReactNode;
}) {
  return (
    <>
      <tr>
        <td>{props.id}</td>
        {props.columns.map((column, index) => (
          <td key={index}>{column}</td>
        ))}
        <td className="actions">
          <button onClick={props.onToggle}>{props.open ? 'Hide' : 'Inspect'}</button>
          {props.action}
        </td>
      </tr>
      {props.open ? (
        <tr>
          <td colSpan={props.columns.length + 2}>
            <pre className="payload">
              {typeof props.payload === 'string' ? props.payload : JSON.stringify(props.payload, null, 2)}
            </pre>
          </td>
        </tr>
      ) : null}
    </>
  );
}
