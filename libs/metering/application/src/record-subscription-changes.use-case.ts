import { periodKeyOf, validateSubscriptionChange } from '@cec/metering-domain';
import { MeteringDeps, NewDeadLetter, SubscriptionChangeRow } from './metering.ports';

export interface SubscriptionChangeItem {
  payload: unknown;
  malformed?: { reason: string; text: string };
  natsKey?: string | null;
  /** The message's text, read only if the change is refused. */
  rawText?: () => string;
}

export interface RecordSubscriptionChangesResult {
  /** State points new to metering (a redelivered change is not new). */
  recorded: number;
  refused: number;
}

/**
 * `subscription.changed` (stream BILLING_EVENTS) builds metering's view of each subscription:
 * its account, its newest state, and one timeline state point per change (R3.2, R3.5). Idempotent
 * on redelivery: a (subscription, sequence) key in the database. A malformed event is kept as a
 * dead letter (kind `subscription_change`) and does not stop the others.
 */
export class RecordSubscriptionChangesUseCase {
  constructor(private readonly deps: MeteringDeps) {}

  async execute(items: readonly SubscriptionChangeItem[]): Promise<RecordSubscriptionChangesResult> {
    const changes: SubscriptionChangeRow[] = [];
    const deadLetters: NewDeadLetter[] = [];
    for (const item of items) {
      const result = item.malformed
        ? { ok: false as const, id: null, code: 'VALIDATION_FAILED', message: `subscription.changed event is not valid JSON: ${item.malformed.reason}` }
        : validateSubscriptionChange(item.payload);
      if (result.ok) {
        changes.push({ change: result.change, period: periodKeyOf(result.change.point.at) });
      } else {
        deadLetters.push({
          kind: 'subscription_change',
          eventId: result.id,
          source: 'nats',
          code: result.code,
          message: result.message,
          payload: item.malformed ? item.malformed.text : item.payload,
          rawText: item.rawText ? item.rawText() : null,
          natsKey: item.natsKey ?? null,
        });
      }
    }
    if (changes.length === 0 && deadLetters.length === 0) return { recorded: 0, refused: 0 };
    const recorded = await this.deps.repository.writeSubscriptionChanges({ changes, deadLetters, receivedAt: this.deps.clock.now() });
    return { recorded, refused: deadLetters.length };
  }
}
