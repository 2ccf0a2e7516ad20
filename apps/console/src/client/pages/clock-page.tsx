import { FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { TestClock } from '../api/views';
import { ErrorBox, Section, StatusBadge } from '../components/common';
import { formatInstant } from '../periods';
import { useAction, useLoad, useSession } from '../session';

/** The billing app's test clock (BILLING_TEST_CLOCK=true): read, move, reset; a move ticks the scheduler. */
export function ClockPage() {
  const { api } = useSession();
  const clock = useLoad((client) => client.get<TestClock>('billing', '/v1/test/clock'), 'clock');
  const [target, setTarget] = useState('');
  const [moved, setMoved] = useState<TestClock | undefined>();
  const { error, run } = useAction();

  async function move(event: FormEvent): Promise<void> {
    event.preventDefault();
    await change(() => api.put<TestClock>('billing', '/v1/test/clock', { now: target.trim() }));
  }

  async function change(call: () => Promise<TestClock>): Promise<void> {
    await run(async () => {
      setMoved(await call());
      clock.reload();
    });
  }

  if (clock.error?.status === 404) {
    return (
      <Section title="Test clock">
        <p>
          The test clock is not enabled on this platform (billing runs with <code>BILLING_TEST_CLOCK=false</code>, the
          default; never in production).
        </p>
      </Section>
    );
  }

  return (
    <Section title="Test clock (billing)">
      <ErrorBox error={clock.error} />
      {clock.data ? (
        <p data-testid="clock-now">
          Billing's clock: <strong>{clock.data.now}</strong> ({formatInstant(clock.data.now)} UTC+8) ·{' '}
          {clock.data.frozen ? <StatusBadge status="frozen" /> : <StatusBadge status="system" />}
        </p>
      ) : null}
      <form className="inline-form" onSubmit={move} aria-label="move the clock">
        <label htmlFor="clock-target">Move to (ISO-8601 with offset)</label>
        <input
          id="clock-target"
          value={target}
          onChange={(event) => setTarget(event.target.value)}
          placeholder="2026-05-01T00:00:00+08:00"
        />
        <button type="submit" disabled={!target.trim()}>
          Move clock
        </button>
        <button type="button" onClick={() => change(() => api.delete<TestClock>('billing', '/v1/test/clock'))}>
          Back to the system clock
        </button>
      </form>
      <ErrorBox error={error} />
      {moved ? (
        <div role="status" className="ok">
          Clock now {moved.now}.{' '}
          {moved.runsStarted.length === 0 ? 'The scheduler tick started no run.' : `The scheduler tick started: `}
          {moved.runsStarted.map((run) => (
            <Link key={run.id} to={`/runs/${encodeURIComponent(run.id)}`} className="spaced">
              {run.period} ({run.id})
            </Link>
          ))}
        </div>
      ) : null}
      <p className="muted small">
        Moving the clock across 00:00 UTC+8 of a first day runs every month that ended in between (trigger schedule).
      </p>
    </Section>
  );
}
