import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  AckPolicy,
  connect,
  Consumer,
  ConsumerConfig,
  DeliverPolicy,
  headers as natsHeaders,
  JetStreamClient,
  JetStreamManager,
  JsMsg,
  NatsConnection,
  nanos,
  RetentionPolicy,
  StorageType,
} from 'nats';
import { StreamDefinition, Subject } from '@cec/contracts';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ConsumerTerminalError, describeError } from './errors';
import { natsConnectionOptions } from './nats-connection-options';
import { CORRELATION_HEADER, currentCorrelationId, runWithCorrelation, saneId } from '../observability/correlation';
import { addGaugeFiller, consumerCounters, consumerStateGauges, sharedRead } from '../observability/metrics';

/** The streams an app declares; ensured (created or updated) at boot, idempotently. */
export const JETSTREAM_STREAMS = Symbol.for('cec.JetStreamStreams');

/** Redelivery of a failed message: `nak` with a delay from `backoffMs`, the last value repeating. */
export const DEFAULT_BACKOFF_MS: readonly number[] = [1000, 2000, 4000, 8000, 16_000, 30_000];

/**
 * How a consumer's failed messages are redelivered and when they stop. Additive to ConsumerSpec:
 * a consumer that sets none of these keeps the old behaviour (redelivered until handled, with
 * backoff). With `onTerminalFailure`, a message ends there (a dead letter) on its `maxDeliver`th
 * failed delivery or at once on a permanent error, and is then terminated (`term`) in JetStream.
 */
export interface RedeliveryOptions {
  /**
   * Deliveries of one message before it is handed to `onTerminalFailure` (counted by JetStream,
   * so deliveries to replicas that died count too). Needs `onTerminalFailure`; default unbounded.
   */
  maxDeliver?: number;
  /** Delay before redelivery after the n-th failed delivery (index n-1; the last one repeats). */
  backoffMs?: readonly number[];
  /**
   * Ack deadline, ms: a message whose consumer died is redelivered after it. While a batch is
   * being handled the service tells JetStream it is still working (`in_progress`) every third
   * of it, so a long batch is never redelivered to another replica while alive. Default 60 s.
   */
  ackWaitMs?: number;
  /** True when the error will not go away by retrying (bad data): no further delivery. */
  isPermanent?: (error: unknown) => boolean;
  /**
   * The message's last stop (dead letter): called once, then the message is terminated. If it
   * throws, the message is redelivered later with backoff (nothing accepted is lost).
   */
  onTerminalFailure?: (message: JsMsg, error: unknown) => Promise<void>;
}

export interface ConsumerSpec<T> extends RedeliveryOptions {
  stream: string;
  durable: string;
  filterSubject: Subject;
  /** Messages per fetch. */
  batchSize: number;
  /**
   * Fetch loops this instance runs side by side (default 1): while one batch is being committed,
   * the next is already fetched and handled, like replicas of one app. Handlers must allow
   * batches to commit concurrently (as they must for replicas anyway).
   */
  concurrency?: number;
  /** Longest wait for a batch to fill, ms. */
  maxWaitMs?: number;
  /**
   * Unacknowledged messages the consumer allows at once (across replicas); what replicas that
   * died still hold counts until their ack wait ends. Default max(4 x batchSize, 1000).
   */
  maxAckPending?: number;
  /** Parses one message; a parse failure is handed to the batch handler as a `rejected` entry. */
  decode: (data: Uint8Array) => T;
  /**
   * Must commit the batch (or throw): messages are acked only after it returns. A handler may settle
   * a message itself (e.g. `nak(delayMs)`); the ack after it is then ignored by the client.
   */
  handle: (batch: DecodedMessage<T>[]) => Promise<void>;
}

export type DecodedMessage<T> =
  | { ok: true; value: T; msgId: string | null; raw: JsMsg }
  | { ok: false; error: string; text: string; msgId: string | null; raw: JsMsg };

const textDecoder = new TextDecoder();
const textEncoder = new TextEncoder();

export function decodeJson(data: Uint8Array): unknown {
  return JSON.parse(textDecoder.decode(data));
}

export function encodeJson(value: unknown): Uint8Array {
  return textEncoder.encode(JSON.stringify(value));
}

/** The delay before the next delivery of a message that failed its `deliveries`th delivery. */
export function redeliveryDelayMs(backoffMs: readonly number[], deliveries: number): number {
  if (backoffMs.length === 0) return 1000;
  return backoffMs[Math.min(Math.max(deliveries, 1), backoffMs.length) - 1];
}

/**
 * JetStream for what must not be lost: stream set-up, publishing with message ids (server-side
 * dedupe), and durable pull consumers that fetch in batches and ack only after the batch commits.
 *
 * The connection retries forever (NATS_RECONNECT_OPTIONS); should it close anyway, it is opened
 * again and the consumer loops carry on with it.
 *
 * The consumer loop is a `fetch()` loop rather than the client's `consume()`: every handler here
 * commits a whole batch in one database transaction and acks it afterwards, which is exactly what
 * one `fetch()` hands over; `consume()` yields single messages and would need a hand-written
 * batcher (timer + buffer) on top of it. Redelivery bounds and backoff are the consumer's own
 * `max_deliver` and per-message `nak(delay)` (JetStream's `backoff` list applies to ack
 * timeouts only, which must stay short so that a dead replica's messages move on quickly).
 */
@Injectable()
export class JetStreamService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(JetStreamService.name);
  private connection: NatsConnection | null = null;
  private client: JetStreamClient | null = null;
  private manager: JetStreamManager | null = null;
  /** Bumped whenever a new connection replaces a closed one (consumer loops re-bind to it). */
  private generation = 0;
  private readonly loops: Promise<void>[] = [];
  private stopping = false;
  private readonly counters = consumerCounters();
  /** Removes this service's consumer gauges from the scrape at shutdown. */
  private readonly gaugeRemovals: Array<() => void> = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JETSTREAM_STREAMS) private readonly streams: readonly StreamDefinition[],
  ) {}

  async onModuleInit(): Promise<void> {
    await this.open();
    for (const stream of this.streams) {
      await ensureStreamAtBoot(this.jsm, stream, this.config.natsStreamReplicas, {
        onRetry: (error, attempt) =>
          this.logger.warn(`stream ${stream.name}: JetStream not ready, attempt ${attempt}: ${describeError(error)}`),
      });
    }
  }

  private async open(): Promise<void> {
    const connection = await connect(natsConnectionOptions(this.config.natsUrl, `${this.config.app}-jetstream`));
    this.connection = connection;
    this.manager = await connection.jetstreamManager();
    this.client = connection.jetstream();
    this.generation += 1;
    void connection.closed().then((error) => this.reopenAfterClose(connection, error));
  }

  /** A connection that closed without our asking (it gave up, or a fatal error): open a new one. */
  private async reopenAfterClose(closed: NatsConnection, error: Error | void): Promise<void> {
    if (this.stopping || closed !== this.connection) return;
    this.logger.error(`JetStream connection closed (${error ? describeError(error) : 'no error'}); opening a new one`);
    for (let attempt = 1; !this.stopping; attempt += 1) {
      try {
        await this.open();
        this.logger.log('JetStream connection opened again');
        return;
      } catch (openError) {
        if (attempt === 1 || attempt % 30 === 0) this.logger.warn(`JetStream reconnect attempt ${attempt} failed: ${describeError(openError)}`);
        await sleep(1000);
      }
    }
  }

  get nc(): NatsConnection {
    if (!this.connection) throw new Error('JetStream is not connected yet');
    return this.connection;
  }

  get js(): JetStreamClient {
    if (!this.client) throw new Error('JetStream is not connected yet');
    return this.client;
  }

  get jsm(): JetStreamManager {
    if (!this.manager) throw new Error('JetStream is not connected yet');
    return this.manager;
  }

  /**
   * Publishes one JSON message; `msgId` lets the server drop duplicates inside its window. The
   * correlation id (default: the current one) travels in the `X-Correlation-Id` header. Answers the
   * message's stream sequence.
   */
  async publish(subject: Subject, payload: unknown, msgId?: string, correlationId: string | null = currentCorrelationId() ?? null): Promise<number> {
    const headers = natsHeaders();
    if (correlationId) headers.set(CORRELATION_HEADER, correlationId);
    const ack = await this.js.publish(subject, encodeJson(payload), { ...(msgId ? { msgID: msgId } : {}), ...(correlationId ? { headers } : {}) });
    return ack.seq; // the stream sequence (of the first copy, when the server dropped a duplicate)
  }

  /** True while the stream holds the message with this sequence (a work queue drops it once acked). */
  async hasMessage(stream: string, seq: number): Promise<boolean> {
    try {
      await this.jsm.streams.getMessage(stream, { seq });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /** True when the connection answers a round trip to the server within `timeoutMs`. */
  async isHealthy(timeoutMs = 2000): Promise<boolean> {
    return pingNats(this.connection, timeoutMs);
  }

  /** Starts a durable pull consumer loop; it runs until the app shuts down. */
  async startConsumer<T>(spec: ConsumerSpec<T>): Promise<void> {
    if (spec.maxDeliver !== undefined && !spec.onTerminalFailure) {
      throw new Error(`consumer ${spec.durable}: maxDeliver needs onTerminalFailure (a message is never dropped silently)`);
    }
    await retryWhileTransient(() => this.ensureConsumer(spec), {
      onRetry: (error, attempt) =>
        this.logger.warn(`consumer ${spec.durable}: JetStream not ready, attempt ${attempt}: ${describeError(error)}`),
    });
    this.watchConsumerState(spec);
    for (let loop = 0; loop < Math.max(1, spec.concurrency ?? 1); loop += 1) this.loops.push(this.consumeLoop(spec));
  }

  /** Pending and ack-pending counts of the consumer, read from its consumer info on scrape. */
  private watchConsumerState<T>(spec: ConsumerSpec<T>): void {
    consumerStateGauges(); // created once per process
    const labels = { stream: spec.stream, consumer: spec.durable };
    const info = sharedRead(() => this.jsm.consumers.info(spec.stream, spec.durable));
    this.gaugeRemovals.push(
      addGaugeFiller('cec_jetstream_consumer_pending', async (gauge) => gauge.set(labels, (await info()).num_pending)),
      addGaugeFiller('cec_jetstream_consumer_ack_pending', async (gauge) => gauge.set(labels, (await info()).num_ack_pending)),
    );
  }

  /**
   * Creates the durable consumer, or (#10 review) applies a changed configuration to an existing one:
   * `consumers.add` is a create (NATS >= 2.10 refuses it for an existing durable whose config differs,
   * "consumer already exists"; older servers answer the existing consumer unchanged), so a new ack
   * wait, ack-pending bound or filter of a deployed consumer is applied with `consumers.update`.
   */
  private async ensureConsumer<T>(spec: ConsumerSpec<T>): Promise<void> {
    const wanted = {
      filter_subject: spec.filterSubject,
      ack_wait: nanos(spec.ackWaitMs ?? 60_000),
      max_ack_pending: spec.maxAckPending ?? Math.max(spec.batchSize * 4, 1000),
      // the bound (maxDeliver) is kept here, not by the server: a message past it goes to
      // onTerminalFailure without being handled again, and should that callback fail (its database
      // away) the message comes back with backoff until it succeeds; a server-side max_deliver
      // would drop it silently after its last delivery
      max_deliver: -1,
    };
    if (await ensureDurableConsumer(this.jsm, spec.stream, spec.durable, wanted)) {
      this.logger.log(`consumer ${spec.durable} on ${spec.stream}: its changed configuration applied`);
    }
  }

  private async consumeLoop<T>(spec: ConsumerSpec<T>): Promise<void> {
    let consumer: Consumer | null = null;
    let boundTo = this.generation;
    let ensureAgain = false;
    let failures = 0;
    while (!this.stopping) {
      const batch: DecodedMessage<T>[] = [];
      try {
        if (consumer === null || boundTo !== this.generation) {
          // after a failure or on a new connection: the server may have lost the consumer
          if (ensureAgain || boundTo !== this.generation) await this.ensureConsumer(spec);
          ensureAgain = false;
          boundTo = this.generation;
          consumer = await this.js.consumers.get(spec.stream, spec.durable);
        }
        const messages = await consumer.fetch({ max_messages: spec.batchSize, expires: spec.maxWaitMs ?? 1000 });
        for await (const message of messages) {
          const msgId = message.headers?.get('Nats-Msg-Id') || null;
          try {
            batch.push({ ok: true, value: spec.decode(message.data), msgId, raw: message });
          } catch (error) {
            batch.push({ ok: false, error: error instanceof Error ? error.message : String(error), text: textDecoder.decode(message.data), msgId, raw: message });
          }
        }
        failures = 0;
        if (batch.length > 0) this.counters.delivered.inc({ stream: spec.stream, consumer: spec.durable }, batch.length);
      } catch (error) {
        if (this.stopping) break;
        failures += 1;
        consumer = null;
        ensureAgain = true;
        if (failures === 1 || failures % 30 === 0) {
          this.logger.warn(`fetch from ${spec.stream}/${spec.durable} failed (${failures}x): ${describeError(error)}`);
        }
        await sleep(Math.min(500 * 2 ** Math.min(failures - 1, 4), 5000));
        continue;
      }
      if (batch.length === 0) continue;
      await this.handleBatch(spec, batch);
    }
  }

  /** Runs the handler on a batch; acks it on success, otherwise settles each message (nak/terminal). */
  private async handleBatch<T>(spec: ConsumerSpec<T>, fetched: DecodedMessage<T>[]): Promise<void> {
    // every fetched message reports in_progress while this batch is worked on, those whose
    // deliveries are exhausted (their terminal callback may take a while) included
    const ackWaitMs = spec.ackWaitMs ?? 60_000;
    const heartbeat = setInterval(() => {
      for (const entry of fetched) if (!isSettled(entry.raw)) settle(() => entry.raw.working());
    }, Math.max(200, Math.floor(ackWaitMs / 3)));
    try {
      await this.handleFetched(spec, fetched);
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async handleFetched<T>(spec: ConsumerSpec<T>, fetched: DecodedMessage<T>[]): Promise<void> {
    const batch: DecodedMessage<T>[] = [];
    for (const entry of fetched) {
      if (spec.maxDeliver !== undefined && entry.raw.info.deliveryCount > spec.maxDeliver) {
        const exhausted = new ConsumerTerminalError(
          'DELIVERIES_EXHAUSTED',
          `delivered ${entry.raw.info.deliveryCount} times (bound ${spec.maxDeliver}); the last delivery was never settled`,
        );
        await this.terminate(spec, entry, exhausted);
      } else {
        batch.push(entry);
      }
    }
    if (batch.length === 0) return;
    // the handler runs with the batch's correlation id when its messages share one; each message
    // is logged (debug) with its own, so that one event can be followed across apps
    const correlationIds = batch.map((entry) => saneId(entry.raw.headers?.get(CORRELATION_HEADER)));
    // the configured level decides (nestjs-pino is the logger; Nest's static Logger.isLevelEnabled
    // knows no levels under it and would answer false)
    if (this.config.logLevel === 'debug') {
      batch.forEach((entry, index) =>
        runWithCorrelation(correlationIds[index], () =>
          this.logger.debug(`${spec.durable}: received ${entry.raw.subject} (stream seq ${entry.raw.seq}, delivery ${entry.raw.info.deliveryCount})`),
        ),
      );
    }
    const shared = correlationIds.every((id) => id === correlationIds[0]) ? correlationIds[0] : null;
    try {
      await runWithCorrelation(shared, () => spec.handle(batch));
      // a message the handler settled itself (nak/term) stays settled: the client skips the ack
      let acked = 0;
      for (const entry of batch) {
        if (isSettled(entry.raw)) continue;
        settle(() => entry.raw.ack());
        acked += 1;
      }
      if (acked > 0) this.counters.acked.inc({ stream: spec.stream, consumer: spec.durable }, acked);
      return;
    } catch (error) {
      await this.settleFailure(spec, batch, error);
    }
  }

  private async settleFailure<T>(spec: ConsumerSpec<T>, batch: DecodedMessage<T>[], error: unknown): Promise<void> {
    const permanent = spec.isPermanent?.(error) ?? false;
    if (permanent && batch.length > 1 && spec.onTerminalFailure) {
      // find the message(s) at fault: each on its own, so one bad message ends alone
      this.logger.warn(`batch of ${batch.length} from ${spec.stream}/${spec.durable} failed permanently (${describeError(error)}); retrying its messages one by one`);
      for (const entry of batch) await this.handleBatch(spec, [entry]);
      return;
    }
    const backoff = spec.backoffMs ?? DEFAULT_BACKOFF_MS;
    const deliveries = Math.max(...batch.map((entry) => entry.raw.info.deliveryCount));
    const terminal = spec.onTerminalFailure !== undefined && (permanent || (spec.maxDeliver !== undefined && deliveries >= spec.maxDeliver));
    const delayMs = redeliveryDelayMs(backoff, deliveries);
    this.logger.error(
      `batch of ${batch.length} from ${spec.stream}/${spec.durable} failed (delivery ${deliveries}${spec.maxDeliver ? ` of ${spec.maxDeliver}` : ''}), ` +
        `${terminal ? 'ending it (terminal failure)' : `redelivering in ${delayMs} ms`}: ${describeError(error)}`,
    );
    for (const entry of batch) {
      const ownDeliveries = entry.raw.info.deliveryCount;
      const ends = spec.onTerminalFailure !== undefined && (permanent || (spec.maxDeliver !== undefined && ownDeliveries >= spec.maxDeliver));
      if (ends) await this.terminate(spec, entry, error);
      else this.redeliverLater(spec, entry, redeliveryDelayMs(backoff, ownDeliveries));
    }
  }

  private async terminate<T>(spec: ConsumerSpec<T>, entry: DecodedMessage<T>, error: unknown): Promise<void> {
    const onTerminal = spec.onTerminalFailure;
    const delayMs = redeliveryDelayMs(spec.backoffMs ?? DEFAULT_BACKOFF_MS, entry.raw.info.deliveryCount);
    if (!onTerminal) {
      this.redeliverLater(spec, entry, delayMs);
      return;
    }
    try {
      await onTerminal(entry.raw, error);
      settle(() => entry.raw.term());
      this.counters.deadLettered.inc({ stream: spec.stream, consumer: spec.durable });
    } catch (callbackError) {
      this.logger.error(`terminal handling of a message from ${spec.stream}/${spec.durable} failed, redelivering: ${describeError(callbackError)}`);
      this.redeliverLater(spec, entry, delayMs);
    }
  }

  private redeliverLater<T>(spec: ConsumerSpec<T>, entry: DecodedMessage<T>, delayMs: number): void {
    settle(() => entry.raw.nak(delayMs));
    this.counters.redelivered.inc({ stream: spec.stream, consumer: spec.durable });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const remove of this.gaugeRemovals) remove();
    if (this.connection && !this.connection.isClosed()) {
      await this.connection.drain().catch(() => undefined);
    }
    await Promise.allSettled(this.loops);
  }
}

/** True when `nc` is open and a PING is answered within `timeoutMs` (false while reconnecting). */
export async function pingNats(nc: NatsConnection | null, timeoutMs = 2000): Promise<boolean> {
  if (!nc || nc.isClosed()) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      nc.flush(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Creates the stream with `replicas` copies (NATS_STREAM_REPLICAS; 3 on a three-node cluster), or
 * updates its subjects if it exists (safe to call from every replica).
 */
export async function ensureStream(jsm: JetStreamManager, stream: StreamDefinition, replicas = 1): Promise<void> {
  const config = {
    name: stream.name,
    subjects: [...stream.subjects],
    retention: stream.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(stream.maxAgeDays * 24 * 3600 * 1000),
    duplicate_window: nanos(2 * 60 * 1000),
    num_replicas: replicas,
  };
  try {
    const info = await jsm.streams.info(stream.name);
    const existing = [...(info.config.subjects ?? [])].sort().join(',');
    if (existing !== [...config.subjects].sort().join(',')) {
      await jsm.streams.update(stream.name, { ...info.config, subjects: config.subjects });
    }
  } catch (error) {
    if (!String(error).includes('stream not found')) throw error;
    try {
      await jsm.streams.add(config);
    } catch (addError) {
      // another replica created it between our look-up and our add
      if (!String(addError).includes('already in use')) throw addError;
    }
  }
}

/** A JetStream API answer that means "not now": no reply in time, or no responder (yet). */
export function isTransientJetStreamError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === 'TIMEOUT' || code === '503';
}

export interface RetryWhileTransientOptions {
  /** How long to keep trying while JetStream answers transiently (default 60 s). */
  deadlineMs?: number;
  /** Wait between attempts (default 1 s). */
  retryDelayMs?: number;
  onRetry?: (error: unknown, attempt: number) => void;
}

/**
 * Runs a JetStream API step of boot (a stream, a consumer), again while the API answers
 * transiently: a cluster that has just formed, or a busy server, can time out such requests for a
 * few seconds (most of all for replicated streams), and an app that gave up there would not start
 * at all. Other errors, and the last transient one after `deadlineMs`, are thrown.
 */
export async function retryWhileTransient<T>(
  step: () => Promise<T>,
  options: RetryWhileTransientOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.deadlineMs ?? 60_000);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step();
    } catch (error) {
      if (!isTransientJetStreamError(error) || Date.now() >= deadline) throw error;
      options.onRetry?.(error, attempt);
      await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs ?? 1000));
    }
  }
}

/** `ensureStream` at boot, tried again while JetStream answers transiently (see retryWhileTransient). */
export function ensureStreamAtBoot(
  jsm: JetStreamManager,
  stream: StreamDefinition,
  replicas: number,
  options: RetryWhileTransientOptions = {},
): Promise<void> {
  return retryWhileTransient(() => ensureStream(jsm, stream, replicas), options);
}

export function jsonHeaders(msgId: string): ReturnType<typeof natsHeaders> {
  const h = natsHeaders();
  h.set('Nats-Msg-Id', msgId);
  return h;
}

/**
 * Acks, naks and progress reports go out on the connection; on a closed one they throw. The
 * message is then redelivered after its ack wait, which is what we want anyway.
 */
function settle(action: () => void): void {
  try {
    action();
  } catch {
    // connection closed: JetStream redelivers after the ack wait
  }
}

/** True once the message was acked, nak'ed or terminated (the client's own flag; false if absent). */
function isSettled(message: JsMsg): boolean {
  return (message as JsMsg & { didAck?: boolean }).didAck === true;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A JetStream API answer "not found" (e.g. no message with that sequence: 404, err_code 10037). */
function isNotFound(error: unknown): boolean {
  const api = error !== null && typeof error === 'object' ? (error as { api_error?: { code?: number } }).api_error : undefined;
  return api?.code === 404 || /no message found/i.test(error instanceof Error ? error.message : String(error));
}

/** The create of an existing durable with another config (NATS >= 2.10: err_code 10148). */
function isAlreadyExists(error: unknown): boolean {
  const api = error !== null && typeof error === 'object' ? (error as { api_error?: { err_code?: number } }).api_error : undefined;
  return api?.err_code === 10148 || /already exists|already in use/i.test(error instanceof Error ? error.message : String(error));
}

/** What a consumer may change of its durable's configuration between releases. */
export interface UpdatableConsumerConfig {
  filter_subject: string;
  ack_wait: number;
  max_ack_pending: number;
  max_deliver: number;
}

/**
 * Creates a durable pull consumer (explicit ack, from the stream's start), or brings an existing one
 * to `wanted` with `consumers.update` when its configuration differs. Answers true when it updated.
 */
export async function ensureDurableConsumer(
  jsm: Pick<JetStreamManager, 'consumers'>,
  stream: string,
  durable: string,
  wanted: UpdatableConsumerConfig,
): Promise<boolean> {
  let existing: ConsumerConfig | null = null;
  try {
    existing = (await jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ...wanted })).config;
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  if (existing === null) existing = (await jsm.consumers.info(stream, durable)).config;
  const differs =
    existing.filter_subject !== wanted.filter_subject ||
    existing.ack_wait !== wanted.ack_wait ||
    existing.max_ack_pending !== wanted.max_ack_pending ||
    (existing.max_deliver ?? -1) !== wanted.max_deliver;
  if (!differs) return false;
  await jsm.consumers.update(stream, durable, wanted);
  return true;
}

