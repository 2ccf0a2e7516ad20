import { ReactNode, useState } from 'react';
import { BillingDeadLetter, ReplayResult, UsageDeadLetter } from '../api/views';
import { ErrorBox, Section } from '../components/common';
import { Column, DataTable } from '../components/data-table';
import { formatInstant } from '../periods';
import { useAction, useLoad, useSession } from '../session';

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
  const { error, run } = useAction();

  async function replay(id: string): Promise<void> {
    setOutcome(undefined);
    await run(async () => {
      const result = await api.post<ReplayResult>(
        'metering',
        `/v1/usage-events/rejected/${encodeURIComponent(id)}/replay`,
      );
      setOutcome({
        id,
        text: result.outcome === 'rejected' ? `refused again: ${result.code}: ${result.message}` : result.outcome,
      });
      usage.reload();
    });
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
        <LetterTable
          label="usage dead letters"
          letters={usage.data}
          letterId={(letter) => letter.id}
          columns={[
            { title: 'Source', cell: (letter) => letter.source },
            { title: 'Code', cell: (letter) => letter.code },
            { title: 'Message', cell: (letter) => letter.message },
            { title: 'Received (UTC+8)', cell: (letter) => formatInstant(letter.receivedAt) },
            {
              title: 'Replayed',
              cell: (letter) =>
                letter.replayedAt ? `${letter.replayOutcome} ${formatInstant(letter.replayedAt)}` : '—',
            },
          ]}
          open={open}
          onOpen={setOpen}
          action={(letter) => <button onClick={() => replay(letter.id)}>Replay</button>}
        />
      </Section>
      <Section
        title="Billing dead letters (messages billing could not use)"
        actions={<button onClick={billing.reload}>Refresh</button>}
      >
        <ErrorBox error={billing.error} />
        <LetterTable
          label="billing dead letters"
          letters={billing.data}
          letterId={(letter) => `b${letter.id}`}
          columns={[
            { title: 'Subject', cell: (letter) => letter.subject },
            { title: 'Code', cell: (letter) => letter.code },
            { title: 'Message', cell: (letter) => letter.message },
            { title: 'Received (UTC+8)', cell: (letter) => formatInstant(letter.receivedAt) },
          ]}
          open={open}
          onOpen={setOpen}
        />
      </Section>
    </>
  );
}

/** Dead letters: the id, the given columns, Inspect/Hide (and an action); an inspected letter's payload below it. */
function LetterTable<T extends { payload: unknown }>(props: {
  label: string;
  letters: T[] | undefined;
  letterId: (letter: T) => string;
  columns: Column<T>[];
  open: string | null;
  onOpen: (id: string | null) => void;
  action?: (letter: T) => ReactNode;
}) {
  const { letterId, open, onOpen, action } = props;
  const columns: Column<T>[] = [
    { title: 'Id', cell: letterId },
    ...props.columns,
    {
      title: '',
      className: 'actions',
      cell: (letter) => (
        <>
          <button onClick={() => onOpen(open === letterId(letter) ? null : letterId(letter))}>
            {open === letterId(letter) ? 'Hide' : 'Inspect'}
          </button>
          {action?.(letter)}
        </>
      ),
    },
  ];
  return (
    <DataTable
      label={props.label}
      columns={columns}
      rows={props.letters}
      rowKey={letterId}
      empty="No dead letters."
      detail={{
        render: (letter) =>
          open === letterId(letter) ? (
            <pre className="payload">
              {typeof letter.payload === 'string' ? letter.payload : JSON.stringify(letter.payload, null, 2)}
            </pre>
          ) : null,
      }}
    />
  );
}
