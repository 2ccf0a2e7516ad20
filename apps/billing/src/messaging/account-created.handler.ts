import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CONSUMERS, STREAMS, SUBJECTS } from '@cec/contracts';
import { classifyFailure } from '@cec/kernel';
import { decodeJson, describeError, JetStreamService } from '@cec/platform';
import { AccountCreatedMessage, AccountFeed, RecordAccountsUseCase } from '@cec/billing-application';

/**
 * `subscription.account.created` → the account mirror (durable consumer shared by replicas; acked
 * after the insert commits; a repeated event changes nothing). A malformed message is kept as a
 * dead letter (`GET /v1/dead-letters`, #9.8) and acked; it never blocks the good ones.
 */
/** Deliveries of one account message before it is dead-lettered (retryable failures back off 1-30 s). */
const ACCOUNT_MESSAGE_DELIVERIES = 10;

@Injectable()
export class AccountCreatedHandler implements OnApplicationBootstrap {
  private readonly logger = new Logger(AccountCreatedHandler.name);

  constructor(
    private readonly jetStream: JetStreamService,
    private readonly recordAccounts: RecordAccountsUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.jetStream.startConsumer<unknown>({
      stream: STREAMS.billingEvents.name,
      durable: CONSUMERS.billingAccounts,
      filterSubject: SUBJECTS.accountCreated,
      batchSize: 500,
      maxWaitMs: 1000,
      // bounded: a message the database keeps refusing ends as a dead letter instead of holding
      // back the feed (and with it every run, which waits for the feed to catch up: #9.4)
      maxDeliver: ACCOUNT_MESSAGE_DELIVERIES,
      isPermanent: (error) => !classifyFailure(error).retryable,
      onTerminalFailure: async (message, error) => {
        const text = new TextDecoder().decode(message.data);
        const messageId = message.headers?.get('Nats-Msg-Id') || null;
        await this.recordAccounts.deadLetterUnrecorded({ key: `${STREAMS.billingEvents.name}:${message.seq}`, messageId, text }, describeError(error));
        this.logger.warn(`dead-lettered a ${SUBJECTS.accountCreated} message (stream seq ${message.seq}) that could not be recorded: ${describeError(error)}`);
      },
      decode: decodeJson,
      handle: async (batch) => {
        const messages: AccountCreatedMessage[] = batch.map((entry) => {
          const base = { key: `${STREAMS.billingEvents.name}:${entry.raw.seq}`, messageId: entry.msgId };
          return entry.ok ? { ...base, ok: true, value: entry.value } : { ...base, ok: false, error: entry.error, text: entry.text };
        });
        const result = await this.recordAccounts.execute(messages);
        for (const letter of result.deadLettered) {
          this.logger.warn(`dead-lettered a ${SUBJECTS.accountCreated} message (${letter.key}): ${letter.code}: ${letter.reason}`);
        }
      },
    });
  }
}

/**
 * #9.4: the backlog of billing's account consumer, from JetStream's consumer info: messages not yet
 * delivered (`num_pending`) plus delivered and not yet acknowledged (`num_ack_pending`).
 */
export class JetStreamAccountFeed implements AccountFeed {
  constructor(private readonly jetStream: JetStreamService) {}

  async backlog(): Promise<number | null> {
    try {
      const info = await this.jetStream.jsm.consumers.info(STREAMS.billingEvents.name, CONSUMERS.billingAccounts);
      return info.num_pending + info.num_ack_pending;
    } catch {
      return null; // not connected, or the consumer does not exist yet
    }
  }
}
