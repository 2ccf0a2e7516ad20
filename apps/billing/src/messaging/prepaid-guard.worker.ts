import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { JsMsg } from 'nats';
import { billingCalendar, Clock, CLOCK, isValidClientId } from '@cec/kernel';
import { CONSUMERS, STREAMS, SUBJECTS } from '@cec/contracts';
import { decodeJson, DecodedMessage, describeError, histogram, JetStreamService, namedCounter } from '@cec/platform';
import {
  DeadLetterRepository,
  GuardWorkerPoke,
  NewDeadLetter,
  PREPAID_GUARD_REPOSITORY,
  PrepaidGuardRepository,
  RefreshPrepaidGuardUseCase,
} from '@cec/billing-application';

/** Accounts re-rated per batch (one metering and one catalog request per batch). */
export const GUARD_BATCH_SIZE = 200;
/** Batches at most per pass (the rest waits for the next pass, a tick later). */
const GUARD_MAX_BATCHES_PER_PASS = 50;
/** The worker's tick: marks left by any replica, balance changes and a new day are seen within it. */
export const GUARD_TICK_MS = 1000;
/** After a poke, marks of a burst of events are gathered this long before a pass. */
const GUARD_COALESCE_MS = 25;
/**
 * How long a batch's claim on its marks lasts: a replica that died holding marks leaves them to
 * the others after this long (a batch is two requests and one short transaction per account).
 */
export const GUARD_CLAIM_LEASE_MS = 60_000;
/** Backoff while metering or the catalog is away (doubling from the tick). */
const GUARD_MAX_BACKOFF_MS = 30_000;

export const GUARD_WORKER = Symbol.for('cec.billing.PrepaidGuardWorker');
export const GUARD_DEAD_LETTERS = Symbol.for('cec.billing.GuardDeadLetters');

/**
 * Issue 10 (prepaid guard): re-rates the running month of accounts marked dirty (`guard_dirty`), in
 * batches it claims (`for update skip locked` with a lease: replicas split the marks, oldest first,
 * and a mark renewed while claimed goes to the back, so every mark is reached), every
 * {@link GUARD_TICK_MS} and at once (after {@link GUARD_COALESCE_MS}) when poked by
 * the usage-changed consumer or a threshold change: a burst of events for one account is one
 * re-rating. When the day (UTC+8, the injected clock) changes, every account rated through an
 * earlier day is marked, since the quantity in force accrues day by day without any event.
 */
/**
 * The guard's metrics (issue 10): the time of each batch by stage, and the accounts it rated; the
 * accounts waiting are the scraped gauge `cec_billing_guard_waiting_accounts` (BillingMetrics).
 */
function guardMetrics() {
  return {
    batch: histogram(
      'cec_billing_guard_batch_seconds',
      "Prepaid guard batches by stage: usage (metering's answers), rates (prices, discounts), rating (pure), store (the batch transaction), total (claim to store)",
      ['stage'],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    ),
    rated: namedCounter('cec_billing_guard_accounts_rated_total', 'Accounts the prepaid guard re-rated and stored'),
  };
}

@Injectable()
export class PrepaidGuardWorker implements OnApplicationBootstrap, OnApplicationShutdown, GuardWorkerPoke {
  private readonly logger = new Logger(PrepaidGuardWorker.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private pokedWhileRunning = false;
  private stopped = false;
  private lastDay: string | null = null;
  private failures = 0;
  private readonly metrics = guardMetrics();

  constructor(
    @Inject(PREPAID_GUARD_REPOSITORY) private readonly guard: PrepaidGuardRepository,
    private readonly refresh: RefreshPrepaidGuardUseCase,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  onApplicationShutdown(): Promise<void> | void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    return this.running ?? undefined;
  }

  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pokedWhileRunning = true;
      return;
    }
    if (this.failures === 0) this.schedule(GUARD_COALESCE_MS);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.pass()
        .then(() => {
          this.failures = 0;
        })
        .catch((error: unknown) => {
          this.failures += 1;
          this.logger.warn(`prepaid guard pass failed (${this.failures} in a row), will retry: ${describeError(error)}`);
        })
        .finally(() => {
          this.running = null;
          const again = this.pokedWhileRunning && this.failures === 0;
          this.pokedWhileRunning = false;
          this.schedule(again ? GUARD_COALESCE_MS : Math.min(GUARD_MAX_BACKOFF_MS, GUARD_TICK_MS * 2 ** this.failures));
        });
    }, delayMs);
    this.timer.unref();
  }

  /** One pass: the new day's marks, then batches of marked accounts. */
  async pass(): Promise<void> {
    const today = billingCalendar.dateOf(this.clock.now());
    if (today !== this.lastDay) {
      const marked = await this.guard.markStale(today);
      if (marked > 0) this.logger.log(`prepaid guard: a new day (${today}): ${marked} account(s) to re-rate`);
      this.lastDay = today;
    }
    for (let batches = 0; batches < GUARD_MAX_BATCHES_PER_PASS; batches += 1) {
      const started = performance.now(); // durations for the metrics, not business time
      const marks = await this.guard.claim(GUARD_BATCH_SIZE, GUARD_CLAIM_LEASE_MS);
      if (marks.length === 0) return;
      const result = await this.refresh.execute(marks);
      for (const [stage, ms] of Object.entries(result.stageMs)) this.metrics.batch.observe({ stage }, ms / 1000);
      this.metrics.batch.observe({ stage: 'total' }, (performance.now() - started) / 1000);
      this.metrics.rated.inc(result.refreshed);
      for (const failure of result.failed) {
        this.logger.warn(`prepaid guard: account ${failure.accountId} cannot be rated: ${failure.code}: ${failure.message}`);
      }
      if (marks.length < GUARD_BATCH_SIZE) return;
    }
  }
}

/**
 * Issue 10: `metering.usage.changed` (stream METERING_EVENTS) → the account is marked for the
 * prepaid guard's worker (durable consumer shared by replicas; acked after the marks commit). A
 * message that is not JSON or names no valid account is kept as a dead letter (`GET
 * /v1/dead-letters`) and acked. Deliveries are bounded: a batch that still fails on its 5th delivery
 * (the database away for that long) is kept as dead letters, never retried forever.
 */
@Injectable()
export class UsageChangedConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsageChangedConsumer.name);

  constructor(
    private readonly jetStream: JetStreamService,
    @Inject(PREPAID_GUARD_REPOSITORY) private readonly guard: PrepaidGuardRepository,
    @Inject(GUARD_DEAD_LETTERS) private readonly deadLetters: DeadLetterRepository,
    @Inject(GUARD_WORKER) private readonly worker: GuardWorkerPoke,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jetStream.startConsumer<unknown>({
      stream: STREAMS.meteringEvents.name,
      durable: CONSUMERS.billingUsageChanges,
      filterSubject: SUBJECTS.usageChanged,
      batchSize: 500,
      maxWaitMs: 1000,
      ackWaitMs: 10_000,
      maxDeliver: 5,
      onTerminalFailure: async (message: JsMsg, error: unknown) => {
        await this.deadLetters.record([{ ...letterBase(message), code: 'UNPROCESSABLE', message: describeError(error), payload: textOf(message) }], this.clock.now());
      },
      decode: decodeJson,
      handle: (batch) => this.handle(batch),
    });
  }

  private async handle(batch: DecodedMessage<unknown>[]): Promise<void> {
    const accounts: string[] = [];
    const letters: NewDeadLetter[] = [];
    for (const entry of batch) {
      if (!entry.ok) {
        letters.push({ ...letterBase(entry.raw), code: 'MALFORMED_MESSAGE', message: `not JSON: ${entry.error}`, payload: entry.text });
        continue;
      }
      const accountId = entry.value !== null && typeof entry.value === 'object' ? (entry.value as Record<string, unknown>)['accountId'] : undefined;
      if (!isValidClientId(accountId)) {
        letters.push({ ...letterBase(entry.raw), code: 'VALIDATION_FAILED', message: 'accountId must be an account id', payload: entry.value });
        continue;
      }
      accounts.push(accountId);
    }
    await this.guard.markDirty(accounts);
    if (letters.length > 0) {
      await this.deadLetters.record(letters, this.clock.now());
      this.logger.warn(`dead-lettered ${letters.length} ${SUBJECTS.usageChanged} message(s)`);
    }
    if (accounts.length > 0) this.worker.poke();
  }
}

function letterBase(message: JsMsg): Pick<NewDeadLetter, 'subject' | 'messageKey' | 'messageId'> {
  return { subject: SUBJECTS.usageChanged, messageKey: `${STREAMS.meteringEvents.name}:${message.seq}`, messageId: message.headers?.get('Nats-Msg-Id') || null };
}

function textOf(message: JsMsg): string {
  return new TextDecoder().decode(message.data);
}
