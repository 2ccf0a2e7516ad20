import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CONSUMERS, STREAMS, SUBJECTS } from '@cec/contracts';
import { decodeJson, JetStreamService } from '@cec/platform';
import { RecordAccountsUseCase } from '@cec/billing-application';

/**
 * `subscription.account.created` → the account mirror (durable consumer shared by replicas; acked
 * after the insert commits; a repeated event changes nothing).
 */
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
      decode: decodeJson,
      handle: async (batch) => {
        const events = batch.filter((entry) => entry.ok).map((entry) => (entry.ok ? entry.value : null));
        for (const entry of batch) if (!entry.ok) this.logger.warn(`dropping an unreadable ${SUBJECTS.accountCreated} message: ${entry.error}`);
        const result = await this.recordAccounts.execute(events);
        for (const rejected of result.rejected) this.logger.warn(`dropping a ${SUBJECTS.accountCreated} event: ${rejected.reason}`);
      },
    });
  }
}
