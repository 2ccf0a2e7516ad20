/**
 * Issue 10: prepaid guard latency, from a `usage.reported` event published to JetStream to the
 * account's guard updated in billing (`billing.account_guard.accrued_this_period` reflects it):
 * usage.reported → metering (commit + outbox row) → relay → `metering.usage.changed` → billing's
 * consumer (marks the account) → the guard worker (re-rates the running month over RPC, stores
 * accrued, guard state, events).
 *
 * ACCOUNTS accounts with one subscription each (basic-cec, quantity 1 from the 1st of the month);
 * ROUNDS rounds, each publishing one usage event per account at once (a higher quantity each
 * round, so today's quantity, and the accrued charge, grows with every event); the end of an
 * account's sample is the first poll (every 20 ms) that sees its accrued change. Events = ACCOUNTS x
 * ROUNDS (default 100 x 10 = 1,000).
 *
 * Run: `E2E_STACK_NAME=e0 E2E_DATABASE=cec_e2e_0 E2E_NATS_PORT=15022 E2E_BASE_PORT=15000
 * node tools/run-ts.js tools/bench/prepaid-guard.bench.ts` (starts and stops its own private stack).
 */
import { connect } from 'nats';
import { Client } from 'pg';
import { DateTime } from 'luxon';
import { AccountCreatedEvent, SUBJECTS, SubscriptionChangedEvent, UsageReportedMessage } from '@cec/contracts';
import { E2E_STACK, startStack, stopStack } from '../stack/private-stack';

const ACCOUNTS = Number(process.env['GUARD_BENCH_ACCOUNTS'] ?? 100);
const ROUNDS = Number(process.env['GUARD_BENCH_ROUNDS'] ?? 10);
const encoder = new TextEncoder();

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function waitUntil(probe: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await probe())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function main(): Promise<void> {
  const info = await startStack({ ...E2E_STACK, billingTestClock: false });
  const nc = await connect({ servers: info.natsUrl });
  const js = nc.jetstream();
  const db = new Client({ connectionString: info.databaseUrl });
  await db.connect();
  try {
    const run = Date.now().toString(36);
    const monthStart = DateTime.now().setZone('UTC+8').startOf('month');
    const accounts = Array.from({ length: ACCOUNTS }, (_, i) => ({ accountId: `gacc-${run}-${i}`, subscriptionId: `gsub-${run}-${i}` }));
    for (const { accountId } of accounts) {
      const event: AccountCreatedEvent = { id: `gacc-evt-${accountId}`, occurredAt: monthStart.toISO() as string, accountId, name: accountId, currency: 'USD' };
      await js.publish(SUBJECTS.accountCreated, encoder.encode(JSON.stringify(event)), { msgID: event.id });
    }
    for (const { accountId, subscriptionId } of accounts) {
      const at = monthStart.toISO() as string;
      const event: SubscriptionChangedEvent = {
        id: `gsub-evt-${subscriptionId}`, occurredAt: at, subscriptionId, accountId, kind: 'enabled', effectiveAt: at, sequence: 1,
        productCode: 'basic-cec', quantity: 1, billingMode: 'pay_per_use', status: 'active', enabledAt: at, cancelledAt: null,
      };
      await js.publish(SUBJECTS.subscriptionChanged, encoder.encode(JSON.stringify(event)), { msgID: event.id });
    }
    const like = `gacc-${run}-%`;
    await waitUntil(async () => Number((await db.query(`select count(*) from billing.account where id like $1`, [like])).rows[0].count) === ACCOUNTS, 'billing accounts');
    // the subscription changes themselves mark every account: wait until each was rated once
    await waitUntil(
      async () => Number((await db.query(`select count(*) from billing.account_guard where account_id like $1 and accrued_this_period > 0`, [like])).rows[0].count) === ACCOUNTS,
      'every account rated after its subscription',
    );
    const accruedNow = async (): Promise<Map<string, string>> =>
      new Map((await db.query<{ account_id: string; accrued: string }>(`select account_id, accrued_this_period::text as accrued from billing.account_guard where account_id like $1`, [like])).rows.map((row) => [row.account_id, row.accrued]));

    const samples: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const before = await accruedNow();
      const timestamp = DateTime.now().setZone('UTC+8').minus({ seconds: 2 }).toISO() as string;
      const sent = new Map<string, number>();
      await Promise.all(
        accounts.map(async ({ accountId, subscriptionId }) => {
          const event: UsageReportedMessage = { id: `gu-${run}-${round}-${subscriptionId}`, subscriptionId, quantity: 2 + round, timestamp };
          sent.set(accountId, performance.now());
          await js.publish(SUBJECTS.usageReported, encoder.encode(JSON.stringify(event)), { msgID: event.id });
        }),
      );
      const pending = new Set(accounts.map((account) => account.accountId));
      const deadline = performance.now() + 120_000;
      while (pending.size > 0) {
        if (performance.now() > deadline) throw new Error(`round ${round}: ${pending.size} accounts not updated`);
        const now = await accruedNow();
        const seenAt = performance.now();
        for (const accountId of [...pending]) {
          if (now.get(accountId) !== before.get(accountId)) {
            samples.push(seenAt - (sent.get(accountId) as number));
            pending.delete(accountId);
          }
        }
        if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      process.stdout.write(`  round ${round + 1}/${ROUNDS}: ${ACCOUNTS} accounts updated\n`);
    }
    samples.sort((a, b) => a - b);
    const result = { events: samples.length, accounts: ACCOUNTS, p50Ms: Math.round(percentile(samples, 50)), p99Ms: Math.round(percentile(samples, 99)), maxMs: Math.round(samples[samples.length - 1]) };
    process.stdout.write(`prepaid guard: event → guard updated ${JSON.stringify(result)}\n`);
  } finally {
    await db.end();
    await nc.close();
    await stopStack();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
