/**
 * Issue 10: a live progress bar of a billing run, from `GET /v1/billing-runs/:id` (accounts planned,
 * processed, failed, remaining, the recent rate and the estimated completion, all computed by the
 * billing app from its database). Used by `npm run run-progress` and `npm run demo`.
 */

export interface RunProgressBody {
  id: string;
  period: string;
  status: string;
  accountsPlanned: number;
  accountsProcessed: number;
  accountsFailed: number;
  accountsSkipped: number;
  accountsRemaining: number;
  ratePerSecond: number;
  estimatedCompletionAt: string | null;
  billsIssued: number;
  total: string;
}

/** One line: `[#####.....]  42% 4200/10000 billed+nothing, 3 failed, 120.5/s, ETA 2026-05-01T00:03:10+08:00 (running)`. */
export function renderRunProgress(run: RunProgressBody, width = 30): string {
  const planned = run.accountsPlanned;
  const done = run.accountsProcessed + run.accountsFailed + run.accountsSkipped;
  const share = planned > 0 ? Math.min(1, done / planned) : 1;
  const filled = Math.round(share * width);
  const eta = run.estimatedCompletionAt ? `ETA ${run.estimatedCompletionAt}` : run.status === 'running' ? 'ETA unknown yet' : 'finished';
  return (
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}% ` +
    `${run.accountsProcessed}/${planned} processed, ${run.accountsFailed} failed, ${run.accountsRemaining} remaining, ` +
    `${run.ratePerSecond.toFixed(1)}/s, ${eta} (${run.status})`
  );
}

/**
 * Polls the run every `intervalMs` and redraws the bar (in place on a terminal, one line a second
 * otherwise) until the run is no longer running; returns the last state.
 */
export async function followRun(fetchRun: () => Promise<RunProgressBody>, write: (text: string) => void, tty: boolean, intervalMs = 250): Promise<RunProgressBody> {
  let lastPrinted = 0;
  for (;;) {
    const run = await fetchRun();
    const line = renderRunProgress(run);
    const finished = run.status !== 'running';
    if (tty) write(`\r${line}\x1b[K${finished ? '\n' : ''}`);
    else if (finished || performance.now() - lastPrinted >= 1000) {
      write(`${line}\n`);
      lastPrinted = performance.now();
    }
    if (finished) return run;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
