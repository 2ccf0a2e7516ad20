import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import {
  AckPolicy,
  connect,
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
import { APP_CONFIG, AppConfig, natsServers } from '../config/app-config';

/** The streams an app declares; ensured (created or updated) at boot, idempotently. */
export const JETSTREAM_STREAMS = Symbol.for('cec.JetStreamStreams');

export interface ConsumerSpec<T> {
  stream: string;
  durable: string;
  filterSubject: Subject;
  /** Messages per fetch. */
  batchSize: number;
  /** Longest wait for a batch to fill, ms. */
  maxWaitMs?: number;
  /** Ack deadline: a batch not acked by then is redelivered. */
  ackWaitMs?: number;
  /** Parses one message; a parse failure is handed to the batch handler as a `rejected` entry. */
  decode: (data: Uint8Array) => T;
  /** Must commit the batch (or throw): messages are acked only after it returns. */
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

/**
 * JetStream for what must not be lost: stream set-up, publishing with message ids (server-side
 * dedupe), and durable pull consumers that fetch in batches and ack only after the batch commits.
 */
@Injectable()
export class JetStreamService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(JetStreamService.name);
  private connection: NatsConnection | null = null;
  private client: JetStreamClient | null = null;
  private manager: JetStreamManager | null = null;
  private readonly loops: Promise<void>[] = [];
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JETSTREAM_STREAMS) private readonly streams: readonly StreamDefinition[],
  ) {}

  async onModuleInit(): Promise<void> {
    this.connection = await connect({
      servers: natsServers(this.config.natsUrl),
      name: `${this.config.app}-jetstream`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
    });
    this.manager = await this.connection.jetstreamManager();
    this.client = this.connection.jetstream();
    for (const stream of this.streams) {
      await ensureStream(this.manager, stream, this.config.natsStreamReplicas);
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

  /** Publishes one JSON message; `msgId` lets the server drop duplicates inside its window. */
  async publish(subject: Subject, payload: unknown, msgId?: string): Promise<void> {
    await this.js.publish(subject, encodeJson(payload), msgId ? { msgID: msgId } : undefined);
  }

  async isHealthy(): Promise<boolean> {
    if (!this.connection || this.connection.isClosed()) return false;
    try {
      await Promise.race([this.connection.flush(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000))]);
      return true;
    } catch {
      return false;
    }
  }

  /** Starts a durable pull consumer loop; it runs until the app shuts down. */
  async startConsumer<T>(spec: ConsumerSpec<T>): Promise<void> {
    const ackWaitMs = spec.ackWaitMs ?? 60_000;
    await this.jsm.consumers.add(spec.stream, {
      durable_name: spec.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: spec.filterSubject,
      ack_wait: nanos(ackWaitMs),
      max_ack_pending: Math.max(spec.batchSize * 4, 1000),
      max_deliver: -1,
    });
    const consumer = await this.js.consumers.get(spec.stream, spec.durable);
    const loop = (async () => {
      while (!this.stopping && this.connection && !this.connection.isClosed()) {
        const batch: DecodedMessage<T>[] = [];
        try {
          const messages = await consumer.fetch({ max_messages: spec.batchSize, expires: spec.maxWaitMs ?? 1000 });
          for await (const message of messages) {
            const msgId = message.headers?.get('Nats-Msg-Id') || null;
            try {
              batch.push({ ok: true, value: spec.decode(message.data), msgId, raw: message });
            } catch (error) {
              batch.push({ ok: false, error: error instanceof Error ? error.message : String(error), text: textDecoder.decode(message.data), msgId, raw: message });
            }
          }
        } catch (error) {
          if (this.stopping) break;
          this.logger.warn(`fetch from ${spec.stream}/${spec.durable} failed: ${String(error)}`);
          await sleep(500);
          continue;
        }
        if (batch.length === 0) continue;
        try {
          await spec.handle(batch);
          for (const entry of batch) entry.raw.ack();
        } catch (error) {
          this.logger.error(`batch of ${batch.length} from ${spec.stream}/${spec.durable} failed, redelivering: ${error instanceof Error ? error.stack : String(error)}`);
          for (const entry of batch) entry.raw.nak(1000);
          await sleep(250);
        }
      }
    })();
    this.loops.push(loop);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.connection && !this.connection.isClosed()) {
      await this.connection.drain().catch(() => undefined);
    }
    await Promise.allSettled(this.loops);
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

export function jsonHeaders(msgId: string): ReturnType<typeof natsHeaders> {
  const h = natsHeaders();
  h.set('Nats-Msg-Id', msgId);
  return h;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
