import { EntityManager, Knex } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { periodKeyOf, sameUsageEventContent } from '@cec/metering-domain';
import type { EpochSeconds, TimelinePoint, TimelineStatus } from '@cec/metering-domain';
import { SUBJECTS } from '@cec/contracts';
import { currentCorrelationId } from '@cec/platform';
import type {
  AccountRevision,
  DeadLetterKind,
  DeadLetterRecord,
  IngestionSource,
  MeteringRepository,
  NewDeadLetter,
  ParkedUsageSweep,
  ReplayOutcomeStatus,
  StoredUsageEvent,
  SubscriptionChangesWrite,
  SubscriptionPoints,
  SubscriptionRecord,
  UsageBatchResult,
  UsageBatchWrite,
} from '@cec/metering-application';
import { MeteringSubscriptionEntity } from './metering.entities';

/**
 * Advisory lock that orders revisions with commits. Every timeline write holds it shared for its
 * transaction (so writers never wait for each other); a reader that must report `asOfRevision`
 * takes it exclusively for a moment: it waits for the writes in flight to commit, and writes that
 * start later get higher revisions. Without it a write could take revision 7, commit after a read
 * that already saw revision 8, and never be reported as "after 8" (R6.2 would lose it).
 */
export const TIMELINE_REVISION_LOCK = 0x6d657465; // "mete"

interface RawResult<T> {
  rows: T[];
}

async function query<T>(db: Knex, sql: string, bindings: readonly unknown[] = []): Promise<T[]> {
  const result = (await db.raw(sql, bindings as Knex.RawBinding[])) as RawResult<T>;
  return result.rows;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Dead letters keep what was received, within what jsonb can hold. */
export const DEAD_LETTER_MAX_DEPTH = 256;
export const DEAD_LETTER_MAX_CHARS = 64 * 1024;

/** Deepest nesting of arrays and objects in a JSON text (string contents skipped). */
function nestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 91 || c === 123) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 93 || c === 125) {
      depth--;
    }
  }
  return max;
}

/**
 * The payload of a dead letter as JSON text that PostgreSQL will take, so that a refused message
 * can never fail its batch (R6.3: bad events never stop the good ones). jsonb holds no NUL
 * character (replaced by U+FFFD) and refuses very deep nesting: a payload nested deeper than
 * {@link DEAD_LETTER_MAX_DEPTH}, longer than {@link DEAD_LETTER_MAX_CHARS} or that cannot be
 * serialized at all is kept as a JSON string of the text received (`rawText`, truncated) instead.
 */
export function deadLetterPayloadJson(value: unknown, rawText: string | null = null): string {
  let text: string | null = null;
  if (typeof value === 'string') {
    text = JSON.stringify(value.length > DEAD_LETTER_MAX_CHARS ? `${value.slice(0, DEAD_LETTER_MAX_CHARS)}…` : value);
  } else {
    try {
      text = JSON.stringify(value) ?? 'null';
    } catch {
      text = null; // e.g. nested too deep for the serializer itself
    }
    if (text === null || text.length > DEAD_LETTER_MAX_CHARS || nestingDepth(text) > DEAD_LETTER_MAX_DEPTH) {
      const raw = rawText ?? text ?? '(payload not representable)';
      text = JSON.stringify(raw.length > DEAD_LETTER_MAX_CHARS ? `${raw.slice(0, DEAD_LETTER_MAX_CHARS)}…` : raw);
    }
  }
  // a NUL escape is `\u0000` after an even number of backslashes (an odd number escapes the backslash)
  return text.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd');
}

function safeText(value: string): string {
  return value.split('\u0000').join('\ufffd');
}

function toEpochSeconds(value: unknown): EpochSeconds {
  return typeof value === 'number' ? value : Number(value);
}

interface StateRow {
  subscription_id: string;
  account_id: string;
  at: number;
  sequence: number;
  product_code: string;
  quantity: number;
  status: TimelineStatus;
}

interface UsageRow {
  subscription_id: string;
  account_id: string;
  at: number;
  id: string;
  quantity: number;
}

interface DeadLetterRow {
  id: string;
  kind: DeadLetterKind;
  event_id: string | null;
  source: IngestionSource;
  code: string;
  message: string;
  payload: unknown;
  received_ms: number;
  replayed_ms: number | null;
  replay_outcome: ReplayOutcomeStatus | null;
}

const DEAD_LETTER_COLUMNS = `id::text as id, kind, event_id, source, code, message, payload,
  (extract(epoch from received_at) * 1000)::float8 as received_ms,
  (extract(epoch from replayed_at) * 1000)::float8 as replayed_ms, replay_outcome`;

function deadLetterRecord(row: DeadLetterRow): DeadLetterRecord {
  return {
    id: row.id,
    kind: row.kind,
    eventId: row.event_id,
    source: row.source,
    code: row.code,
    message: row.message,
    payload: row.payload,
    receivedAt: DateTime.fromMillis(Math.round(row.received_ms), { zone: 'utc' }),
    replayedAt: row.replayed_ms === null ? null : DateTime.fromMillis(Math.round(row.replayed_ms), { zone: 'utc' }),
    replayOutcome: row.replay_outcome,
  };
}

interface StoredUsageRow {
  id: string;
  subscription_id: string;
  quantity: number;
  at: number;
}

function storedUsage(row: StoredUsageRow): StoredUsageEvent {
  return { id: row.id, subscriptionId: row.subscription_id, quantity: row.quantity, at: toEpochSeconds(row.at) };
}

/**
 * Issue 10 (prepaid guard): a CTE that makes sure a `metering.usage.changed` outbox event follows
 * every (subscription, period) a `touched` CTE reports (the upsert of `timeline_write` returns only
 * the rows whose revision grew), in the same transaction as the write. Bindings: see
 * {@link usageChangedBindings}. The event id `usage-changed-<revision>-<hash of the subscription>`
 * is deterministic (a relay that publishes twice is deduplicated by JetStream) and stays unique
 * should the revision sequence ever start again.
 *
 * #11: a (subscription, period) whose event is still waiting in the outbox, and not claimed by a
 * relay pass (`skip locked`), has that row folded forward to the newest write (its id, revision
 * and occurredAt; its place and `accountSequence` kept) instead of a row per write: draining a
 * backlog writes and publishes one event per subscription and month per relay pass, not one per
 * batch. Only the new rows take per-account sequence numbers (`accountSequence`,
 * OUTBOX_RELIABILITY_SQL), assigned here set-based (one counter upsert per account, in account
 * order), so the numbers stay gap-free and the trigger leaves the rows as they are.
 */
const USAGE_CHANGED_CTE = `changed as (
  select t.subscription_id, trim(t.period) as period, t.max_revision, s.account_id,
    'usage-changed-' || t.max_revision::text || '-' || left(md5(t.subscription_id), 16) as event_id
  from touched t
  join subscription s on s.id = t.subscription_id
), pending as (
  -- one probe of the pending index per key written (a lateral subquery, so never a scan of every
  -- waiting row: during a backlog they are as many as the keys with usage, #11)
  select w.seq, ch.subscription_id::text as subscription_id, ch.period
  from changed ch
  cross join lateral (
    select o.seq from outbox o
    where (o.payload->>'subscriptionId') = ch.subscription_id::text and (o.payload->>'period') = ch.period
      and o.subject = ? and o.published_at is null and o.failed_at is null
    for update of o skip locked
  ) w
), target as (
  -- two rows of one key can be waiting (one a relay pass held, or two writes that raced): the
  -- newest takes the fold, the other keeps its own id and is published as it is
  select distinct on (subscription_id, period) seq, subscription_id, period from pending order by subscription_id, period, seq desc
), folded as (
  update outbox o set event_id = ch.event_id,
    payload = o.payload || jsonb_build_object('id', ch.event_id, 'occurredAt', ?::text, 'revision', ch.max_revision::text)
  from target p
  join changed ch on ch.subscription_id = p.subscription_id and ch.period = p.period
  where o.seq = p.seq
  returning o.seq
), fresh as (
  select ch.*, row_number() over (partition by ch.account_id order by ch.subscription_id, ch.period) as n,
    count(*) over (partition by ch.account_id) as total
  from changed ch
  where not exists (select 1 from pending p where p.subscription_id = ch.subscription_id and p.period = ch.period)
), counted as (
  insert into outbox_aggregate_sequence as c (aggregate_id, last_seq)
  select account_id, max(total) from fresh group by account_id order by account_id
  on conflict (aggregate_id) do update set last_seq = c.last_seq + excluded.last_seq
  returning aggregate_id, last_seq
), notified as (
  insert into outbox (event_id, subject, payload, created_at, correlation_id, aggregate_id, aggregate_seq)
  select f.event_id, ?,
    jsonb_build_object('id', f.event_id, 'occurredAt', ?::text, 'accountId', f.account_id,
      'subscriptionId', f.subscription_id, 'period', f.period, 'revision', f.max_revision::text,
      'accountSequence', c.last_seq - f.total + f.n),
    ?::timestamptz, ?::varchar, f.account_id, c.last_seq - f.total + f.n
  from fresh f
  join counted c on c.aggregate_id = f.account_id
  order by f.account_id, f.subscription_id, f.period
)`;

/** `on conflict` of the `timeline_write` upserts: only a higher revision updates (and is returned). */
const TIMELINE_WRITE_UPSERT = `on conflict (subscription_id, period) do update set max_revision = excluded.max_revision
  where timeline_write.max_revision < excluded.max_revision
  returning subscription_id, period, max_revision`;

function usageChangedBindings(at: DateTime): Array<string | null> {
  const occurredAt = at.toUTC().toISO({ suppressMilliseconds: true }) as string;
  // the correlation id of the request or message being handled travels on (X-Correlation-Id)
  return [SUBJECTS.usageChanged, occurredAt, SUBJECTS.usageChanged, occurredAt, at.toUTC().toISO() as string, currentCorrelationId() ?? null];
}

/**
 * #9.3: un-parks the parked usage events these rows name (locked in id order), with a new
 * revision each, and records the periods they touch in `timeline_write` (R6.2: a run that read the
 * account before sees the change). Returns how many were un-parked.
 */
async function unparkUsage(trx: Knex, selectParkedIds: string, bindings: readonly unknown[], at: DateTime): Promise<number> {
  const rows = await query<{ subscription_id: string; at: number; revision: string }>(
    trx,
    `with target as (${selectParkedIds}),
     moved as (
       update usage_event u set parked_source = null, revision = nextval('timeline_revision')
       from target where u.id = target.id
       returning u.subscription_id, extract(epoch from u.occurred_at)::float8 as at, u.revision::text as revision
     )
     select * from moved`,
    bindings,
  );
  if (rows.length === 0) return 0;
  const touched = new Map<string, { subscriptionId: string; period: string; revision: bigint }>();
  for (const row of rows) {
    const period = periodKeyOf(toEpochSeconds(row.at));
    const key = `${row.subscription_id}\u0000${period}`;
    const revision = BigInt(row.revision);
    const entry = touched.get(key);
    if (!entry || entry.revision < revision) touched.set(key, { subscriptionId: row.subscription_id, period, revision });
  }
  const entries = [...touched.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, entry]) => entry);
  await trx.raw(
    `with touched as (
       insert into timeline_write (subscription_id, period, max_revision)
       select * from unnest(?::text[], ?::text[], ?::bigint[])
       ${TIMELINE_WRITE_UPSERT}
     ), ${USAGE_CHANGED_CTE}
     select 1`,
    [entries.map((e) => e.subscriptionId), entries.map((e) => e.period), entries.map((e) => e.revision.toString()), ...usageChangedBindings(at)],
  );
  return rows.length;
}

type SubscriptionFilter = { column: 'id' | 'account_id'; values: readonly string[] };

/**
 * State points that decide [from, to): per subscription, the last one before `from` (the state
 * in force when the period starts) and every one inside. One statement for the whole set.
 */
function statePointsSql(filter: SubscriptionFilter): string {
  return `
    select p.subscription_id, s.account_id, extract(epoch from p.effective_at)::float8 as at, p.sequence, p.product_code, p.quantity, p.status
    from subscription s
    cross join lateral (
      (select * from subscription_state_point b
        where b.subscription_id = s.id and b.effective_at < to_timestamp(?)
        order by b.effective_at desc, b.sequence desc limit 1)
      union all
      (select * from subscription_state_point i
        where i.subscription_id = s.id and i.effective_at >= to_timestamp(?) and i.effective_at < to_timestamp(?))
    ) p
    where s.${filter.column} = any(?::text[])
    order by p.subscription_id, p.effective_at, p.sequence`;
}

/**
 * Usage events that decide [from, to): per subscription, the last one before `from` (ties at one
 * instant are ordered by id in code-point order, as the domain orders them) and every one inside.
 */
function usagePointsSql(filter: SubscriptionFilter): string {
  return `
    select u.subscription_id, s.account_id, extract(epoch from u.occurred_at)::float8 as at, u.id, u.quantity
    from subscription s
    cross join lateral (
      (select b.id, b.subscription_id, b.occurred_at, b.quantity from usage_event b
        where b.subscription_id = s.id and b.occurred_at < to_timestamp(?)
        order by b.occurred_at desc, b.id collate "C" desc limit 1)
      union all
      (select i.id, i.subscription_id, i.occurred_at, i.quantity from usage_event i
        where i.subscription_id = s.id and i.occurred_at >= to_timestamp(?) and i.occurred_at < to_timestamp(?))
    ) u
    where s.${filter.column} = any(?::text[])
    order by u.subscription_id, u.occurred_at`;
}

async function loadPoints(db: Knex, filter: SubscriptionFilter, from: EpochSeconds, to: EpochSeconds): Promise<SubscriptionPoints[]> {
  const bindings = [from, from, to, [...filter.values]];
  const states = await query<StateRow>(db, statePointsSql(filter), bindings);
  const usages = await query<UsageRow>(db, usagePointsSql(filter), bindings);
  const bySubscription = new Map<string, SubscriptionPoints>();
  const entry = (subscriptionId: string, accountId: string): TimelinePoint[] => {
    let found = bySubscription.get(subscriptionId);
    if (!found) {
      found = { subscriptionId, accountId, points: [] };
      bySubscription.set(subscriptionId, found);
    }
    return found.points;
  };
  for (const row of states) {
    entry(row.subscription_id, row.account_id).push({
      kind: 'state',
      at: toEpochSeconds(row.at),
      sequence: row.sequence,
      productCode: row.product_code,
      quantity: row.quantity,
      status: row.status,
    });
  }
  for (const row of usages) {
    entry(row.subscription_id, row.account_id).push({ kind: 'usage', at: toEpochSeconds(row.at), quantity: row.quantity, eventId: row.id });
  }
  return [...bySubscription.values()].sort((a, b) => compareStrings(a.subscriptionId, b.subscriptionId));
}

async function insertDeadLetters(db: Knex, deadLetters: readonly NewDeadLetter[], receivedAt: string): Promise<void> {
  if (deadLetters.length === 0) return;
  await query(
    db,
    `insert into dead_letter (kind, event_id, source, code, message, payload, received_at, nats_key)
     select d.kind, d.event_id, d.source, d.code, d.message, d.payload::jsonb, ?::timestamptz, d.nats_key
     from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[]) as d(kind, event_id, source, code, message, payload, nats_key)
     on conflict (nats_key) do nothing`,
    [
      receivedAt,
      deadLetters.map((d) => d.kind),
      deadLetters.map((d) => d.eventId),
      deadLetters.map((d) => d.source),
      deadLetters.map((d) => d.code),
      deadLetters.map((d) => safeText(d.message)),
      deadLetters.map((d) => deadLetterPayloadJson(d.payload, d.rawText)),
      deadLetters.map((d) => d.natsKey),
    ],
  );
}

/**
 * PostgreSQL implementation of the metering port. Bulk writes are single statements over arrays
 * (`unnest`) with `on conflict do nothing` on the idempotency keys; rows are written in key order
 * so that concurrent batches lock shared keys in one order (no deadlocks).
 */
export class PostgresMeteringRepository implements MeteringRepository {
  constructor(private readonly em: EntityManager) {}

  private get knex(): Knex {
    return this.em.getKnex();
  }

  async writeUsageBatch(write: UsageBatchWrite): Promise<UsageBatchResult> {
    const receivedAt = write.receivedAt.toUTC().toISO() as string;
    const events = [...write.events].sort((a, b) => compareStrings(a.id, b.id));
    return this.knex.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock_shared(?)', [TIMELINE_REVISION_LOCK]);
      const inserted = new Set<string>();
      const parked = new Set<string>();
      const conflicts = new Map<string, StoredUsageEvent>();
      const deadLetters = [...write.deadLetters];
      if (events.length > 0) {
        // an event whose subscription is not recorded yet is stored parked (#9.3); the others
        // mark their (subscription, period) written at their revision (R6.2)
        const rows = await query<{ id: string; parked: boolean }>(
          trx,
          `with input as (
             select i.*, not exists (select 1 from subscription s where s.id = i.subscription_id) as parked
             from unnest(?::text[], ?::text[], ?::int[], ?::bigint[], ?::text[]) as i(id, subscription_id, quantity, at, period)
           ), ins as (
             insert into usage_event (id, subscription_id, quantity, occurred_at, received_at, revision, parked_source)
             select id, subscription_id, quantity, to_timestamp(at), ?::timestamptz, nextval('timeline_revision'), case when parked then ?::text end
             from input
             on conflict (id) do nothing
             returning id, revision, parked_source is not null as parked
           ), touched as (
             insert into timeline_write (subscription_id, period, max_revision)
             select input.subscription_id, input.period, max(ins.revision) from ins join input on input.id = ins.id
             where not ins.parked
             group by input.subscription_id, input.period
             order by input.subscription_id, input.period
             ${TIMELINE_WRITE_UPSERT}
           ), ${USAGE_CHANGED_CTE}
           select id, parked from ins`,
          [
            events.map((e) => e.id),
            events.map((e) => e.subscriptionId),
            events.map((e) => e.quantity),
            events.map((e) => e.at),
            events.map((e) => e.period),
            receivedAt,
            write.source,
            ...usageChangedBindings(write.receivedAt),
          ],
        );
        for (const row of rows) {
          inserted.add(row.id);
          if (row.parked) parked.add(row.id);
        }
        // #8.6: an id that met the unique key is compared with what is stored (committed: the
        // insert waited for any racing batch that holds the same id)
        const skipped = events.filter((event) => !inserted.has(event.id));
        if (skipped.length > 0) {
          const stored = await query<StoredUsageRow>(
            trx,
            'select id, subscription_id, quantity, extract(epoch from occurred_at)::float8 as at from usage_event where id = any(?::text[])',
            [skipped.map((event) => event.id)],
          );
          const byId = new Map(stored.map((row) => [row.id, storedUsage(row)]));
          for (const event of skipped) {
            const found = byId.get(event.id);
            if (!found || sameUsageEventContent(found, event)) continue; // a duplicate (R6.1)
            conflicts.set(event.id, found);
            const letter = write.conflictDeadLetter(event, found);
            if (letter) deadLetters.push(letter);
          }
        }
      }
      await insertDeadLetters(trx, deadLetters, receivedAt);
      return { inserted, parked, conflicts };
    });
  }

  async writeSubscriptionChanges(write: SubscriptionChangesWrite): Promise<number> {
    const receivedAt = write.receivedAt.toUTC().toISO() as string;
    // one row per (subscription, sequence), in key order
    const unique = new Map(write.changes.map((row) => [`${row.change.subscriptionId}\u0000${String(row.change.point.sequence).padStart(10, '0')}`, row]));
    const changes = [...unique.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, row]) => row);
    // the newest change of each subscription sets its current state
    const newest = new Map<string, (typeof changes)[number]>();
    for (const row of changes) newest.set(row.change.subscriptionId, row);
    const latest = [...newest.values()];
    return this.knex.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock_shared(?)', [TIMELINE_REVISION_LOCK]);
      let recorded = 0;
      if (latest.length > 0) {
        await trx.raw(
          `insert into subscription (id, account_id, product_code, quantity, status, last_sequence, last_effective_at, updated_at)
           select id, account_id, product_code, quantity, status, last_sequence, to_timestamp(at), ?::timestamptz
           from unnest(?::text[], ?::text[], ?::text[], ?::int[], ?::text[], ?::int[], ?::bigint[]) as i(id, account_id, product_code, quantity, status, last_sequence, at)
           order by id
           on conflict (id) do update set
             account_id = excluded.account_id, product_code = excluded.product_code, quantity = excluded.quantity, status = excluded.status,
             last_sequence = excluded.last_sequence, last_effective_at = excluded.last_effective_at, updated_at = excluded.updated_at
           where subscription.last_sequence < excluded.last_sequence`,
          [
            receivedAt,
            latest.map((r) => r.change.subscriptionId),
            latest.map((r) => r.change.accountId),
            latest.map((r) => r.change.point.productCode),
            latest.map((r) => r.change.point.quantity),
            latest.map((r) => r.change.point.status),
            latest.map((r) => r.change.point.sequence),
            latest.map((r) => r.change.point.at),
          ],
        );
        const rows = await query<{ count: string }>(
          trx,
          `with input as (
             select * from unnest(?::text[], ?::int[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::int[], ?::text[], ?::text[])
               as i(subscription_id, sequence, event_id, kind, at, product_code, quantity, status, period)
           ), ins as (
             insert into subscription_state_point (subscription_id, sequence, event_id, kind, effective_at, product_code, quantity, status, revision, received_at)
             select subscription_id, sequence, event_id, kind, to_timestamp(at), product_code, quantity, status, nextval('timeline_revision'), ?::timestamptz
             from input
             on conflict (subscription_id, sequence) do nothing
             returning subscription_id, sequence, revision
           ), touched as (
             insert into timeline_write (subscription_id, period, max_revision)
             select input.subscription_id, input.period, max(ins.revision)
             from ins join input on input.subscription_id = ins.subscription_id and input.sequence = ins.sequence
             group by input.subscription_id, input.period
             order by input.subscription_id, input.period
             ${TIMELINE_WRITE_UPSERT}
           ), ${USAGE_CHANGED_CTE}
           select count(*) as count from ins`,
          [
            changes.map((r) => r.change.subscriptionId),
            changes.map((r) => r.change.point.sequence),
            changes.map((r) => r.change.eventId),
            changes.map((r) => r.change.kind),
            changes.map((r) => r.change.point.at),
            changes.map((r) => r.change.point.productCode),
            changes.map((r) => r.change.point.quantity),
            changes.map((r) => r.change.point.status),
            changes.map((r) => r.period),
            receivedAt,
            ...usageChangedBindings(write.receivedAt),
          ],
        );
        recorded = Number(rows[0]?.count ?? 0);
        // #9.3: usage parked for these subscriptions counts from this commit on
        await unparkUsage(
          trx,
          'select id from usage_event where parked_source is not null and subscription_id = any(?::text[]) order by id for update',
          [latest.map((r) => r.change.subscriptionId)],
          write.receivedAt,
        );
      }
      await insertDeadLetters(trx, write.deadLetters, receivedAt);
      return recorded;
    });
  }

  async findSubscription(id: string): Promise<SubscriptionRecord | null> {
    const row = await this.em.fork().findOne(MeteringSubscriptionEntity, { id });
    if (!row) return null;
    return { id: row.id, accountId: row.accountId, productCode: row.productCode, quantity: row.quantity, status: row.status as TimelineStatus };
  }

  pointsOfSubscriptions(subscriptionIds: readonly string[], from: EpochSeconds, to: EpochSeconds): Promise<SubscriptionPoints[]> {
    if (subscriptionIds.length === 0) return Promise.resolve([]);
    return loadPoints(this.knex, { column: 'id', values: subscriptionIds }, from, to);
  }

  async pointsOfAccounts(
    accountIds: readonly string[],
    from: EpochSeconds,
    to: EpochSeconds,
    options: { withRevision: boolean } = { withRevision: true },
  ): Promise<{ asOfRevision: string | null; subscriptions: SubscriptionPoints[] }> {
    if (!options.withRevision) {
      // no revision asked (the prepaid guard): what is committed, without the exclusive lock that
      // would wait for the ingestion batches in flight and hold up the ones behind it
      return { asOfRevision: null, subscriptions: accountIds.length === 0 ? [] : await loadPoints(this.knex, { column: 'account_id', values: accountIds }, from, to) };
    }
    return this.knex.transaction(async (trx) => {
      // waits for the writes in flight; writes that start after this get higher revisions
      await trx.raw('select pg_advisory_xact_lock(?)', [TIMELINE_REVISION_LOCK]);
      const [revision] = await query<{ value: string }>(trx, 'select (case when is_called then last_value else 0 end)::text as value from timeline_revision');
      const subscriptions = accountIds.length === 0 ? [] : await loadPoints(trx, { column: 'account_id', values: accountIds }, from, to);
      return { asOfRevision: revision?.value ?? '0', subscriptions };
    });
  }

  async earliestPeriodsWrittenAfter(accounts: readonly AccountRevision[]): Promise<Array<{ accountId: string; earliestPeriod: string }>> {
    if (accounts.length === 0) return [];
    const rows = await query<{ account_id: string; earliest_period: string }>(
      this.knex,
      `select a.account_id, min(w.period) as earliest_period
       from unnest(?::text[], ?::bigint[]) as a(account_id, after_revision)
       join subscription s on s.account_id = a.account_id
       join timeline_write w on w.subscription_id = s.id and w.max_revision > a.after_revision
       group by a.account_id
       order by a.account_id`,
      [accounts.map((a) => a.accountId), accounts.map((a) => a.afterRevision)],
    );
    return rows.map((row) => ({ accountId: row.account_id, earliestPeriod: row.earliest_period.trim() }));
  }

  async listDeadLetters(kind: DeadLetterKind, limit: number): Promise<DeadLetterRecord[]> {
    // raw SQL: jsonb comes back as sent (a payload that is a JSON string stays a string)
    const rows = await query<DeadLetterRow>(this.knex, `select ${DEAD_LETTER_COLUMNS} from dead_letter where kind = ? order by dead_letter.id desc limit ?`, [kind, limit]);
    return rows.map(deadLetterRecord);
  }

  async findDeadLetter(kind: DeadLetterKind, id: string): Promise<DeadLetterRecord | null> {
    const [row] = await query<DeadLetterRow>(this.knex, `select ${DEAD_LETTER_COLUMNS} from dead_letter where kind = ? and id = ?::bigint`, [kind, id]);
    return row ? deadLetterRecord(row) : null;
  }

  async markDeadLetterReplayed(id: string, outcome: ReplayOutcomeStatus, at: DateTime): Promise<DeadLetterRecord | null> {
    const [row] = await query<DeadLetterRow>(
      this.knex,
      `update dead_letter set replayed_at = coalesce(replayed_at, ?::timestamptz), replay_outcome = coalesce(replay_outcome, ?)
       where id = ?::bigint
       returning ${DEAD_LETTER_COLUMNS}`,
      [at.toUTC().toISO() as string, outcome, id],
    );
    return row ? deadLetterRecord(row) : null;
  }

  async sweepParkedUsage(sweep: ParkedUsageSweep): Promise<{ unparked: number; expired: number }> {
    const now = sweep.now.toUTC().toISO() as string;
    return this.knex.transaction(async (trx) => {
      await trx.raw('select pg_advisory_xact_lock_shared(?)', [TIMELINE_REVISION_LOCK]);
      // parked by a batch that raced the recording of its subscription: un-park it now
      const unparked = await unparkUsage(
        trx,
        `select u.id from usage_event u
         where u.parked_source is not null and exists (select 1 from subscription s where s.id = u.subscription_id)
         order by u.id for update skip locked`,
        [],
        sweep.now,
      );
      const expired = await query<StoredUsageRow & { source: IngestionSource; received_ms: number }>(
        trx,
        `with target as (
           select u.id from usage_event u
           where u.parked_source is not null and u.received_at < ?::timestamptz
             and not exists (select 1 from subscription s where s.id = u.subscription_id)
           order by u.received_at, u.id limit ? for update skip locked
         ), gone as (
           delete from usage_event u using target where u.id = target.id
           returning u.id, u.subscription_id, u.quantity, extract(epoch from u.occurred_at)::float8 as at, u.parked_source as source,
             (extract(epoch from u.received_at) * 1000)::float8 as received_ms
         )
         select * from gone order by received_ms, id`,
        [sweep.expiredBefore.toUTC().toISO() as string, sweep.limit],
      );
      await insertDeadLetters(
        trx,
        expired.map((row) => sweep.deadLetter({ ...storedUsage(row), source: row.source, receivedAt: DateTime.fromMillis(Math.round(row.received_ms), { zone: 'utc' }) })),
        now,
      );
      return { unparked, expired: expired.length };
    });
  }
}
