import { MonthlyUsageReply, MonthlyUsageRequest, PATTERNS, ResolvePricesReply, UsageRevisionsReply, toUsageRuns } from '@cec/contracts';
import { connectNats, resetSchema, sql, useTestEnvironment } from '@cec/testing';
import { BILLING_ORM } from '../billing.module-def';
import { days, respond } from './support/fake-apps';
import { resetBillingStreams, RunBody, startBilling, waitForRun } from './support/billing-harness';

useTestEnvironment();

// Opt-in throughput check (BILLING_THROUGHPUT=1 [THROUGHPUT_ACCOUNTS=10000]): one run over N accounts with
// two subscriptions each, metering and catalog answered in-process. Prints accounts per second.
const maybe = process.env['BILLING_THROUGHPUT'] ? it : it.skip;

maybe('throughput of a run (accounts/s)', async () => {
  await resetSchema(BILLING_ORM);
  const nc = await connectNats();
  await resetBillingStreams(nc);
  const N = Number(process.env['THROUGHPUT_ACCOUNTS'] ?? 10000);
  await sql(`insert into billing.account (id, name, currency, created_at) select 'p' || lpad(g::text, 7, '0'), 'x', 'USD', now() from generate_series(1, $1) g`, [N]);
  const month = days('2025-06', 1, 30, 3, 'perf-a');
  const month2 = days('2025-06', 1, 30, 2, 'perf-b');
  respond<MonthlyUsageRequest, MonthlyUsageReply>(nc, PATTERNS.meteringMonthlyUsage, (r) => ({ period: r.period, asOfRevision: '5', subscriptions: r.accountIds.flatMap((a) => [{ subscriptionId: `${a}-1`, accountId: a, runs: toUsageRuns(month) }, { subscriptionId: `${a}-2`, accountId: a, runs: toUsageRuns(month2) }]) }));
  respond<unknown, UsageRevisionsReply>(nc, PATTERNS.meteringUsageRevisions, () => ({ revisions: [] }));
  respond<unknown, ResolvePricesReply>(nc, PATTERNS.catalogResolvePrices, () => ({ prices: { 'perf-a': [{ unitPrice: '30.00', currency: 'USD', effectiveFrom: '2020-01-01' }], 'perf-b': [{ unitPrice: '10.00', currency: 'USD', effectiveFrom: '2020-01-01' }] } }));
  const app = await startBilling({ run: { batchSize: 250, accountConcurrency: 6, jobAckWaitMs: 60000 } });
  const t0 = Date.now();
  const started = await app.api.post<RunBody>('/v1/billing-runs', { period: '2025-06' });
  const run = await waitForRun(app.api, started.body.id, 600000);
  const ms = Date.now() - t0;
  console.log(JSON.stringify({ N, ms, perSecond: Math.round((N * 1000) / ms), run }));
  await app.close();
  await nc.drain();
}, 700000);
