import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Subject } from '@cec/contracts';
import { describeError } from '../nats/errors';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { currentCorrelationId } from '../observability/correlation';
import { addGaugeFiller, outboxGauges, sharedRead } from '../observability/metrics';
import { JetStreamService } from '../nats/jetstream.service';
import { OutboxEntity } from './outbox.entity';
import { DEFAULT_OUTBOX_SETTINGS, OUTBOX_SETTINGS, OutboxSettings } from './outbox.settings';

export interface OutboxMessage {
  eventId: string;
  subject: Subject;
  payload: object;
  /** Default: the current correlation id (of the HTTP request or message being handled). */
  correlationId?: string | null;
}

/**
 * Adds events to the outbox inside the caller's transaction (the `em` of that transaction). The
 * database gives each row of an account (payload `accountId`) the account's next sequence number
 * and writes it into the payload as `accountSequence` (see OUTBOX_ACCOUNT_SEQUENCE_SQL).
 */
export function enqueueOutbox(em: EntityManager, messages: readonly OutboxMessage[], createdAt: Date): void {
  for (const message of messages) {
    em.create(OutboxEntity, {
      eventId: message.eventId,
      subject: message.subject,
      payload: message.payload as Record<string, unknown>,
      createdAt,
      publishedAt: null,
      correlationId: message.correlationId ?? currentCorrelationId() ?? null,
    });
  }
}

interface OutboxRow {
  seq: string;
  event_id: string;
  subject: string;
  payload: unknown;
  attempts: number;
  correlation_id: string | null;
}

/** What one relay pass did. */
export interface OutboxPassResult {
  published: number;
  /** Rows that failed and wait for a retry (or were parked). */
  failed: number;
  /** Some failure was NATS being unreachable or slow: the relay backs off as a whole. */
  unavailable: boolean;
}

const TRANSIENT_CODES = new Set(['TIMEOUT', '503', 'DISCONNECT', 'CONNECTION_CLOSED', 'CONNECTION_DRAINING', 'CONNECTION_REFUSED', 'CONNECTION_TIMEOUT']);

/** NATS unreachable, no JetStream responder, timeouts: what goes away with time, not with a fix. */
export function isTransientPublishError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : String(error);
  return /not connected|timeout|no responders|disconnect|closed/i.test(message);
}

/**
 * Relays committed outbox rows to JetStream (message id = event id, so a publish repeated after a
 * crash is dropped by the stream's duplicate window, and consumers dedupe on the id as well).
 *
 * - Replicas may run it side by side: `for update skip locked` hands each row to one of them.
 * - A pass claims at most `batchSize` rows in `seq` order and publishes them with at most
 *   `publishConcurrency` in flight; each row's outcome is recorded on its own row in the same
 *   transaction: published rows get `published_at` (and are never sent again), a failed row
 *   gets `attempts + 1`, `last_error` and a `next_attempt_at` with exponential backoff. One row
 *   that cannot be published neither rolls back nor re-sends the others.
 * - Transient failures (NATS unreachable, no JetStream responder, timeouts) are retried for as
 *   long as they last, with backoff capped at `retryMaxDelayMs`, and the relay itself pauses
 *   (0.5 s doubling to 5 s) instead of hammering a server that is away. Any other failure (e.g.
 *   a payload over the server's limit) parks the row after `maxAttempts`: `failed_at` is set,
 *   `last_error` says why, it is no longer retried and is never pruned — visible with
 *   `select * from outbox where failed_at is not null`; clearing `failed_at` and `attempts`
 *   queues it again.
 * - Published rows older than `retentionHours` are deleted a minute after boot and then every
 *   `pruneIntervalMs`, in chunks of `pruneChunk` rows.
 * - Rows of one account are published in `seq` order within a pass but may overtake a row that
 *   is waiting for a retry; consumers order one account's events by `accountSequence`.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly settings: OutboxSettings;
  private timer: NodeJS.Timeout | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private pokedWhileRunning = false;
  /** Consecutive passes that met NATS unavailable (drives the relay's own backoff). */
  private unavailablePasses = 0;
  private readonly gaugeRemovals: Array<() => void> = [];

  constructor(
    private readonly orm: MikroORM,
    private readonly jetStream: JetStreamService,
    @Optional() @Inject(OUTBOX_SETTINGS) settings?: OutboxSettings,
    @Optional() @Inject(APP_CONFIG) private readonly config?: AppConfig,
  ) {
    this.settings = settings ?? DEFAULT_OUTBOX_SETTINGS;
  }

  onApplicationBootstrap(): void {
    this.watchBacklog();
    this.schedule(0);
    // first prune a minute after boot (an app restarted often still prunes), then every interval
    this.schedulePrune(Math.min(60_000, this.settings.pruneIntervalMs));
  }

  /**
   * Outbox gauges of the app's schema, read on scrape (one cheap query on the unpublished rows'
   * partial index): every replica reports the same database truth (aggregate with max, not sum).
   */
  private watchBacklog(): void {
    const schema = this.config?.schema ?? 'public';
    const read = sharedRead(async () => {
      const [row] = await this.orm.em.fork().getConnection().execute<Array<{ unpublished: string; parked: string; age: string | null }>>(
        // each count by its partial index (outbox_due_idx, outbox_parked_idx)
        `select (select count(*) from "outbox" where "published_at" is null and "failed_at" is null) as "unpublished",
                (select count(*) from "outbox" where "published_at" is null and "failed_at" is not null) as "parked",
                extract(epoch from now() - (select min("created_at") from "outbox" where "published_at" is null and "failed_at" is null)) as "age"`,
      );
      return { unpublished: Number(row.unpublished), parked: Number(row.parked), age: row.age === null ? 0 : Math.max(0, Number(row.age)) };
    });
    outboxGauges();
    this.gaugeRemovals.push(
      addGaugeFiller('cec_outbox_unpublished_rows', async (gauge) => gauge.set({ schema }, (await read()).unpublished)),
      addGaugeFiller('cec_outbox_parked_rows', async (gauge) => gauge.set({ schema }, (await read()).parked)),
      addGaugeFiller('cec_outbox_oldest_unpublished_age_seconds', async (gauge) => gauge.set({ schema }, (await read()).age)),
    );
  }

  private schedulePrune(delayMs: number): void {
    if (this.stopped) return;
    this.pruneTimer = setTimeout(() => {
      this.prune()
        .catch((error: unknown) => this.logger.warn(`outbox prune failed, will retry: ${describeError(error)}`))
        .finally(() => this.schedulePrune(this.settings.pruneIntervalMs));
    }, delayMs);
    this.pruneTimer.unref();
  }

  /** Asks for a relay pass now (after a commit that enqueued events). */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pokedWhileRunning = true;
      return;
    }
    if (this.unavailablePasses > 0) return; // backing off: the scheduled pass will come
    this.schedule(0);
  }

  /**
   * Publishes every row that is due; returns how many were published. Stops early when NATS is
   * unavailable; rows that failed wait for their `next_attempt_at`.
   */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const pass = await this.relayBatch();
      total += pass.published;
      this.unavailablePasses = pass.unavailable ? this.unavailablePasses + 1 : 0;
      if (pass.unavailable || pass.published + pass.failed === 0) return total;
    }
  }

  /** Deletes published rows older than the retention, in chunks; returns how many. */
  async prune(): Promise<number> {
    let total = 0;
    for (;;) {
      const result = await this.orm.em.fork().getConnection().execute<{ affectedRows: number }>(
        `delete from "outbox" where "seq" in (
           select "seq" from "outbox"
            where "published_at" is not null and "published_at" < now() - make_interval(secs => ?)
            order by "seq" limit ?)`,
        [this.settings.retentionHours * 3600, this.settings.pruneChunk],
        'run',
      );
      total += result.affectedRows;
      if (result.affectedRows < this.settings.pruneChunk || this.stopped) break;
    }
    if (total > 0) this.logger.log(`outbox: pruned ${total} published row(s) older than ${this.settings.retentionHours} h`);
    return total;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const remove of this.gaugeRemovals.splice(0)) remove();
    if (this.timer) clearTimeout(this.timer);
    if (this.pruneTimer) clearTimeout(this.pruneTimer);
    await this.running?.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.drain()
        .then(() => undefined)
        .catch((error: unknown) => {
          this.unavailablePasses += 1;
          this.logger.warn(`outbox relay pass failed, will retry: ${describeError(error)}`);
        })
        .finally(() => {
          this.running = null;
          const again = this.pokedWhileRunning;
          this.pokedWhileRunning = false;
          if (this.unavailablePasses > 0) this.schedule(Math.min(500 * 2 ** (this.unavailablePasses - 1), 5000));
          else this.schedule(again ? 0 : this.settings.idleDelayMs);
        });
    }, delayMs);
  }

  /** Claims one batch of due rows, publishes them, records each row's outcome; one transaction. */
  async relayBatch(): Promise<OutboxPassResult> {
    const em = this.orm.em.fork();
    return em.transactional(async (tx) => {
      // tx.execute runs inside the transaction (a bare connection.execute would not hold the locks)
      const rows: OutboxRow[] = await tx.execute(
        `select "seq", "event_id", "subject", "payload", "attempts", "correlation_id" from "outbox"
          where "published_at" is null and "failed_at" is null and ("next_attempt_at" is null or "next_attempt_at" <= now())
          order by "seq" limit ? for update skip locked`,
        [this.settings.batchSize],
      );
      if (rows.length === 0) return { published: 0, failed: 0, unavailable: false };
      const published: string[] = [];
      const failures: Array<{ row: OutboxRow; error: unknown }> = [];
      for (let start = 0; start < rows.length; start += this.settings.publishConcurrency) {
        const chunk = rows.slice(start, start + this.settings.publishConcurrency);
        const outcomes = await Promise.allSettled(
          chunk.map((row) =>
            this.jetStream.publish(row.subject as Subject, typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload, row.event_id, row.correlation_id),
          ),
        );
        outcomes.forEach((outcome, index) => {
          if (outcome.status === 'fulfilled') published.push(chunk[index].seq);
          else failures.push({ row: chunk[index], error: outcome.reason });
        });
        // NATS went away mid-batch: leave the rest of the batch for later rather than time out on each
        if (failures.length > 0 && failures.every((failure) => isTransientPublishError(failure.error)) && start + chunk.length < rows.length) {
          if (!(await this.jetStream.isHealthy(1000))) break;
        }
      }
      if (published.length > 0) {
        await tx.execute(
          `update "outbox" set "published_at" = now(), "last_error" = null where "seq" in (select (jsonb_array_elements_text(?::jsonb))::bigint)`,
          [JSON.stringify(published)],
        );
      }
      const unavailable = failures.some((failure) => isTransientPublishError(failure.error));
      if (failures.length > 0) {
        const values = failures.map(({ row, error }) => {
          const transient = isTransientPublishError(error);
          const attempts = row.attempts + 1;
          return {
            seq: row.seq,
            error: describeError(error).slice(0, 2000),
            delay_ms: Math.min(this.settings.retryBaseDelayMs * 2 ** Math.min(attempts - 1, 20), this.settings.retryMaxDelayMs),
            park: !transient && attempts >= this.settings.maxAttempts,
          };
        });
        await tx.execute(
          `update "outbox" o set "attempts" = o."attempts" + 1, "last_error" = v."error",
                  "next_attempt_at" = now() + v."delay_ms" * interval '1 millisecond',
                  "failed_at" = case when v."park" then now() else null end
             from jsonb_to_recordset(?::jsonb) as v("seq" bigint, "error" text, "delay_ms" bigint, "park" boolean)
            where o."seq" = v."seq"`,
          [JSON.stringify(values)],
        );
        const parked = failures.filter((_, index) => values[index].park);
        for (const { row, error } of parked) {
          this.logger.error(`outbox row ${row.event_id} (${row.subject}) parked after ${row.attempts + 1} failed publishes: ${describeError(error)}`);
        }
        this.logger.warn(
          `outbox: ${published.length} of ${rows.length} row(s) published, ${failures.length} failed (${parked.length} parked), ` +
            `first error (${failures[0].row.event_id}): ${describeError(failures[0].error)}`,
        );
      }
      return { published: published.length, failed: failures.length, unavailable };
    });
  }
}
