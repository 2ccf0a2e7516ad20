import { NatsConnection } from 'nats';
import { billingCalendar, Money, Period, SystemClock } from '@cec/kernel';
import { DirtyMark, PREPAID_GUARD_REPOSITORY, PrepaidGuardRepository } from '@cec/billing-application';
import { connectNats, resetSchema, RunningTestApp, sql, useTestEnvironment } from '@cec/testing';
import { BILLING_ORM } from '../billing.module-def';
import { days, FakeCatalog, FakeMetering } from './support/fake-apps';
import { resetBillingStreams, startBilling, waitFor } from './support/billing-harness';

useTestEnvironment();

/** More marked accounts than two batches of the worker (GUARD_BATCH_SIZE = 200). */
const ACCOUNTS = 450;

describe('#10 guard claims: two billing replicas split the marked accounts (skip locked) and reach every one', () => {
  let nc: NatsConnection;
  let metering: FakeMetering;
  let catalog: FakeCatalog;
  const apps: RunningTestApp[] = [];

  beforeAll(async () => {
    await resetSchema(BILLING_ORM);
    nc = await connectNats();
    await resetBillingStreams(nc);
    metering = new FakeMetering(nc);
    catalog = new FakeCatalog(nc);
    catalog.price('replica-cec', '30.00');
    apps.push(await startBilling(), await startBilling());
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    metering?.close();
    catalog?.close();
    await nc?.drain();
  });

  it('#10 guard claims: 450 accounts marked at once are each re-rated exactly once across two replicas (no batch read twice), none left behind', async () => {
    // the guard runs on the system clock here: usage in the running month (UTC+8)
    const period = billingCalendar.periodOf(new SystemClock().now()).toString();
    const ids = Array.from({ length: ACCOUNTS }, (_, index) => `acc-rep-${String(index).padStart(4, '0')}`);
    await sql(
      `insert into billing.account ("id", "name", "currency", "balance", "created_at")
       select i, i, 'USD', 100, now() from unnest($1::text[]) as i`,
      [ids],
    );
    for (const id of ids) metering.set(id, `${id}-s`, period, days(period, 1, 1, 1, 'replica-cec'));
    // a slow metering: a replica's batch is still in flight when the other one looks for work
    metering.delayMs = 300;
    const before = metering.usageRequests().length;
    await sql('insert into billing.guard_dirty ("account_id", "mark") select i, 1 from unnest($1::text[]) as i', [ids]);
    await waitFor(async () => {
      const [left] = await sql<{ n: string }>('select count(*)::text as n from billing.guard_dirty');
      const [rated] = await sql<{ n: string }>('select count(*)::text as n from billing.account_guard where computed_at is not null');
      return left.n === '0' && rated.n === String(ACCOUNTS);
    }, 'every marked account re-rated', 60_000);
    const requests = metering.usageRequests().slice(before).filter((request) => request.period === period);
    const asked = requests.flatMap((request) => request.accountIds).filter((id) => id.startsWith('acc-rep-'));
    const times = new Map<string, number>();
    for (const id of asked) times.set(id, (times.get(id) ?? 0) + 1);
    // every account asked for once: the replicas never read the same marks
    expect([...times.values()].filter((count) => count > 1)).toEqual([]);
    expect(times.size).toBe(ACCOUNTS);
    expect(requests.every((request) => request.accountIds.length <= 200)).toBe(true);
    // 1 x 30.00 x 1 day / D, rounded
    const [accrued] = await sql<{ accrued: string; n: string }>(
      'select min(accrued_this_period)::text as accrued, count(distinct accrued_this_period)::text as n from billing.account_guard',
    );
    expect(accrued.n).toBe('1');
    expect(Number(accrued.accrued)).toBeGreaterThan(0);
  });

  it('#10 guard claims: a claim whose lease ran out (its replica died) is claimed again; an account marked again while claimed is re-rated again', async () => {
    const id = 'acc-rep-0000';
    // a dead replica's claim with an expired lease
    await sql(`insert into billing.guard_dirty ("account_id", "mark", "claim", "claimed_until") values ($1, 1, 'claim-dead', now() - interval '1 second')`, [id]);
    await waitFor(async () => (await sql('select 1 from billing.guard_dirty where account_id = $1', [id])).length === 0, 'the expired claim taken over');
    // a live claim is left alone (another replica is working on it) until it is released
    await sql(`insert into billing.guard_dirty ("account_id", "mark", "claim", "claimed_until") values ($1, 1, 'claim-live', now() + interval '1 hour')`, [id]);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await sql('select claim from billing.guard_dirty where account_id = $1', [id])).toEqual([{ claim: 'claim-live' }]);
    await sql(`update billing.guard_dirty set claim = null, claimed_until = null where account_id = $1`, [id]);
    await waitFor(async () => (await sql('select 1 from billing.guard_dirty where account_id = $1', [id])).length === 0, 'the released mark re-rated');
  });

  it('#10 guard batch store: one transaction for the batch stores only the marks still claimed, once per crossing, and queues again an account marked meanwhile', async () => {
    const guard = apps[0].app.get<PrepaidGuardRepository>(PREPAID_GUARD_REPOSITORY);
    const period = Period.parse('2026-04');
    const claim = 'claim-batch-test';
    const [held, lost, remarked] = ['acc-bst-held', 'acc-bst-lost', 'acc-bst-remarked'];
    await sql(
      `insert into billing.account ("id", "name", "currency", "balance", "created_at") select i, i, 'USD', 10, now() from unnest($1::text[]) as i`,
      [[held, lost, remarked]],
    );
    await sql(`insert into billing.account_guard ("account_id", "low_balance") values ($1, 5)`, [held]);
    // live claims (an hour's lease) the workers leave alone: `held` and `remarked` are ours, `lost`
    // was taken over by another replica after our lease ran out; `remarked` was marked again since
    await sql(
      `insert into billing.guard_dirty ("account_id", "mark", "claim", "claimed_until", "queued_at")
       values ($1, 1, $4, now() + interval '1 hour', now() - interval '1 minute'),
              ($2, 1, 'claim-other', now() + interval '1 hour', now() - interval '1 minute'),
              ($3, 2, $4, now() + interval '1 hour', now() - interval '1 minute')`,
      [held, lost, remarked, claim],
    );
    const mark = (accountId: string): DirtyMark => ({ accountId, mark: '1', currency: 'USD', claim });
    const at = new SystemClock().now();
    const update = (accountId: string, accrued: string) => ({ mark: mark(accountId), period, ratedThrough: '2026-04-10', accrued: Money.parse(accrued), computedAt: at });
    // `held` accrues 12.00 against a balance of 10.00 and a threshold of 5.00: low, then exhausted
    const stored = await guard.storeBatch([update(remarked, '1.00'), update(lost, '2.00'), update(held, '12.00')]);
    expect(Object.fromEntries(stored)).toEqual({ [held]: ['balance_low', 'balance_exhausted'], [remarked]: [] });
    const guards = await sql<{ account_id: string; accrued: string; state: string }>(
      `select account_id, accrued_this_period::text as accrued, guard_state as state from billing.account_guard where account_id like 'acc-bst-%' order by account_id`,
    );
    expect(guards).toEqual([
      { account_id: held, accrued: '12.00', state: 'exhausted' },
      { account_id: remarked, accrued: '1.00', state: 'ok' },
    ]);
    const marks = await sql<{ account_id: string; claim: string | null; requeued: boolean }>(
      `select account_id, claim, queued_at > now() - interval '30 seconds' as requeued from billing.guard_dirty where account_id like 'acc-bst-%' order by account_id`,
    );
    // held: cleared; lost: the other replica's, untouched; remarked: released to the back of the queue
    expect(marks).toEqual([
      { account_id: lost, claim: 'claim-other', requeued: false },
      { account_id: remarked, claim: null, requeued: true },
    ]);
    const events = await sql<{ subject: string }>(`select subject from billing.outbox where payload->>'accountId' = $1 order by seq`, [held]);
    expect(events.map((event) => event.subject)).toEqual(['billing.account.balance_low', 'billing.account.balance_exhausted']);
    // stored again at the same state (claimed anew): no second crossing, no new event
    await sql(`insert into billing.guard_dirty ("account_id", "mark", "claim", "claimed_until") values ($1, 1, $2, now() + interval '1 hour')`, [held, claim]);
    expect(Object.fromEntries(await guard.storeBatch([update(held, '12.50')]))).toEqual({ [held]: [] });
    const [after] = await sql<{ n: string }>(`select count(*)::text as n from billing.outbox where payload->>'accountId' = $1`, [held]);
    expect(after.n).toBe('2');
    await sql(`delete from billing.guard_dirty where account_id like 'acc-bst-%'`);
  });
});
