import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Subject } from '@cec/contracts';
import { JetStreamService } from '../nats/jetstream.service';
import { OutboxEntity } from './outbox.entity';

export interface OutboxMessage {
  eventId: string;
  subject: Subject;
  payload: object;
}

/** Adds events to the outbox inside the caller's transaction (the `em` of that transaction). */
export function enqueueOutbox(em: EntityManager, messages: readonly OutboxMessage[], createdAt: Date): void {
  for (const message of messages) {
    em.create(OutboxEntity, {
      eventId: message.eventId,
      subject: message.subject,
      payload: message.payload as Record<string, unknown>,
      createdAt,
      publishedAt: null,
    });
  }
}

interface OutboxRow {
  seq: string;
  event_id: string;
  subject: string;
  payload: unknown;
}

/**
 * Relays committed outbox rows to JetStream in commit order. Replicas may run it side by side:
 * `for update skip locked` hands each row to one of them; a crash after publishing and before
 * marking re-publishes with the same message id, which JetStream and consumers both drop.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private pokedWhileRunning = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly jetStream: JetStreamService,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  /** Asks for a relay pass now (after a commit that enqueued events). */
  poke(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pokedWhileRunning = true;
      return;
    }
    this.schedule(0);
  }

  /** Publishes every pending row; returns how many were relayed. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const relayed = await this.relayBatch(1000);
      total += relayed;
      if (relayed === 0) return total;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.drain()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn(`outbox relay pass failed, will retry: ${String(error)}`))
        .finally(() => {
          this.running = null;
          const again = this.pokedWhileRunning;
          this.pokedWhileRunning = false;
          this.schedule(again ? 0 : 500);
        });
    }, delayMs);
  }

  private async relayBatch(limit: number): Promise<number> {
    const em = this.orm.em.fork();
    return em.transactional(async (tx) => {
      // tx.execute runs inside the transaction (a bare connection.execute would not hold the locks)
      const rows: OutboxRow[] = await tx.execute(
        'select "seq", "event_id", "subject", "payload" from "outbox" where "published_at" is null order by "seq" limit ? for update skip locked',
        [limit],
      );
      if (rows.length === 0) return 0;
      await Promise.all(
        rows.map((row) =>
          this.jetStream.publish(row.subject as Subject, typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload, row.event_id),
        ),
      );
      await tx.execute(`update "outbox" set "published_at" = now() where "seq" in (${rows.map(() => '?').join(',')})`, rows.map((row) => row.seq));
      return rows.length;
    });
  }
}
