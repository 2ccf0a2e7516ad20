import { UNKNOWN_SUBSCRIPTION } from '@cec/metering-domain';
import { DateTime } from 'luxon';
import { ExpiredParkedUsage, MeteringDeps, NewDeadLetter } from './metering.ports';

/** Parked events expired per transaction. */
export const PARKED_USAGE_EXPIRY_BATCH = 1000;

/**
 * #9.3: the periodic sweep of parked usage. A usage event for a subscription metering does not know
 * is kept (parked) for at most `ttlMs` after it was received; then it is dead-lettered
 * UNKNOWN_SUBSCRIPTION (replayable by an operator). The sweep also un-parks an event whose
 * subscription became known while the event was being parked (the two transactions raced).
 */
export class ExpireParkedUsageUseCase {
  constructor(
    private readonly deps: MeteringDeps,
    private readonly ttlMs: number,
  ) {}

  async execute(): Promise<{ unparked: number; expired: number }> {
    const now = this.deps.clock.now();
    const expiredBefore = now.minus({ milliseconds: this.ttlMs });
    const total = { unparked: 0, expired: 0 };
    for (;;) {
      const swept = await this.deps.repository.sweepParkedUsage({
        expiredBefore,
        now,
        limit: PARKED_USAGE_EXPIRY_BATCH,
        deadLetter: (event) => this.deadLetter(event),
      });
      total.unparked += swept.unparked;
      total.expired += swept.expired;
      if (swept.expired < PARKED_USAGE_EXPIRY_BATCH) return total;
    }
  }

  private deadLetter(event: ExpiredParkedUsage): NewDeadLetter {
    const timestamp = DateTime.fromSeconds(event.at, { zone: 'utc' }).toISO({ suppressMilliseconds: true });
    return {
      kind: 'usage_event',
      eventId: event.id,
      source: event.source,
      code: UNKNOWN_SUBSCRIPTION,
      message:
        `subscriptionId ${event.subscriptionId} is not a known subscription: no subscription.changed for it arrived within ` +
        `${Math.round(this.ttlMs / 1000)} s of receiving the event (kept parked until then); replay this dead letter once it exists`,
      payload: { id: event.id, subscriptionId: event.subscriptionId, quantity: event.quantity, timestamp },
      rawText: null,
      natsKey: null,
    };
  }
}
