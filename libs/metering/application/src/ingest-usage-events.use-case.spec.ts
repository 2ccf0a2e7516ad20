import { FakeClock } from '@cec/kernel';
import type { EpochSeconds } from '@cec/metering-domain';
import { IngestUsageEventsUseCase } from './ingest-usage-events.use-case';
import { ReportUsageEventsUseCase } from './report-usage-events.use-case';
import { sameUsageEventContent } from '@cec/metering-domain';
import type {
  AccountRevision,
  DeadLetterKind,
  DeadLetterRecord,
  MeteringRepository,
  StoredUsageEvent,
  SubscriptionChangesWrite,
  SubscriptionPoints,
  SubscriptionRecord,
  UsageBatchResult,
  UsageBatchWrite,
} from './metering.ports';

/** In memory: a map keyed by event id stands for the database's primary key. */
class InMemoryRepository implements MeteringRepository {
  readonly events = new Map<string, { id: string; subscriptionId: string; quantity: number; at: number; period: string; parked: boolean }>();
  readonly writes: UsageBatchWrite[] = [];
  readonly conflictLetters: unknown[] = [];

  constructor(private readonly subscriptions: readonly string[]) {}

  async writeUsageBatch(write: UsageBatchWrite): Promise<UsageBatchResult> {
    this.writes.push(write);
    const inserted = new Set<string>();
    const parked = new Set<string>();
    const conflicts = new Map<string, StoredUsageEvent>();
    for (const event of write.events) {
      const stored = this.events.get(event.id);
      if (stored) {
        if (!sameUsageEventContent(stored, event)) {
          conflicts.set(event.id, stored);
          this.conflictLetters.push(write.conflictDeadLetter(event, stored));
        }
        continue;
      }
      const isParked = !this.subscriptions.includes(event.subscriptionId);
      this.events.set(event.id, { ...event, parked: isParked });
      inserted.add(event.id);
      if (isParked) parked.add(event.id);
    }
    return { inserted, parked, conflicts };
  }
  findDeadLetter(): Promise<DeadLetterRecord | null> {
    throw new Error('not used');
  }
  markDeadLetterReplayed(): Promise<DeadLetterRecord | null> {
    throw new Error('not used');
  }
  sweepParkedUsage(): Promise<{ unparked: number; expired: number }> {
    throw new Error('not used');
  }

  writeSubscriptionChanges(_write: SubscriptionChangesWrite): Promise<number> {
    throw new Error('not used');
  }
  findSubscription(_id: string): Promise<SubscriptionRecord | null> {
    throw new Error('not used');
  }
  pointsOfSubscriptions(_ids: readonly string[], _from: EpochSeconds, _to: EpochSeconds): Promise<SubscriptionPoints[]> {
    throw new Error('not used');
  }
  pointsOfAccounts(): Promise<{ asOfRevision: string | null; subscriptions: SubscriptionPoints[] }> {
    throw new Error('not used');
  }
  earliestPeriodsWrittenAfter(_accounts: readonly AccountRevision[]): Promise<Array<{ accountId: string; earliestPeriod: string }>> {
    throw new Error('not used');
  }
  listDeadLetters(_kind: DeadLetterKind, _limit: number): Promise<DeadLetterRecord[]> {
    throw new Error('not used');
  }
}

const event = (id: string, patch: Record<string, unknown> = {}): Record<string, unknown> => ({ id, subscriptionId: 'sub_1', quantity: 2, timestamp: '2026-01-31T17:00:00Z', ...patch });

describe('IngestUsageEventsUseCase (R6)', () => {
  let repository: InMemoryRepository;
  let ingest: IngestUsageEventsUseCase;

  beforeEach(() => {
    repository = new InMemoryRepository(['sub_1']);
    ingest = new IngestUsageEventsUseCase({ repository, clock: new FakeClock('2026-02-01T00:00:00Z') });
  });

  it('R6.1 / R6.3: one outcome per item, in order; refusals are dead-lettered in the same write as the good events', async () => {
    const result = await ingest.execute({
      source: 'nats',
      items: [
        { payload: event('e-1') },
        { payload: undefined, malformed: { reason: 'Unexpected end of JSON input', text: '{"id"' }, natsKey: 'USAGE:2:9' },
        { payload: event('e-2', { quantity: 1.5 }), natsKey: 'USAGE:3:9' },
        { payload: event('e-1') },
        { payload: event('e-3', { subscriptionId: 'sub_new' }) },
        { payload: event('e-1', { quantity: 99 }), natsKey: 'USAGE:6:9' },
      ],
    });
    expect(result.outcomes.map((outcome) => outcome.status)).toEqual(['accepted', 'rejected', 'rejected', 'duplicate', 'parked', 'rejected']);
    expect(result).toMatchObject({ accepted: 2, parked: 1, duplicates: 1 });
    expect(result.rejected).toEqual([
      { id: null, code: 'VALIDATION_FAILED', message: expect.stringMatching(/not valid JSON/) },
      { id: 'e-2', code: 'VALIDATION_FAILED', message: expect.stringMatching(/quantity/) },
      { id: 'e-1', code: 'EVENT_ID_CONFLICT', message: expect.stringMatching(/quantity 2 \(received 99\)/) },
    ]);
    expect(repository.writes).toHaveLength(1);
    const [write] = repository.writes;
    expect(write.events.map((e) => e.id)).toEqual(['e-1', 'e-3']);
    expect(write.events[0]).toEqual({ id: 'e-1', subscriptionId: 'sub_1', quantity: 2, at: Date.parse('2026-01-31T17:00:00Z') / 1000, period: '2026-02' });
    expect(write.deadLetters.map((letter) => [letter.eventId, letter.code, letter.natsKey, letter.source, letter.kind])).toEqual([
      [null, 'VALIDATION_FAILED', 'USAGE:2:9', 'nats', 'usage_event'],
      ['e-2', 'VALIDATION_FAILED', 'USAGE:3:9', 'nats', 'usage_event'],
      ['e-1', 'EVENT_ID_CONFLICT', 'USAGE:6:9', 'nats', 'usage_event'],
    ]);
    expect(write.deadLetters[0].payload).toBe('{"id"');
    expect(write.receivedAt.toISO()).toBe('2026-02-01T00:00:00.000Z');
  });

  it('R6.1: an id stored before with the same content is a duplicate, however late (the instant compared to the second)', async () => {
    await ingest.execute({ source: 'rest', items: [{ payload: event('e-1') }] });
    const again = await ingest.execute({ source: 'rest', items: [{ payload: event('e-1', { timestamp: '2026-02-01T01:00:00.900+08:00' }) }] });
    expect(again).toMatchObject({ accepted: 0, duplicates: 1, rejected: [] });
    expect(repository.conflictLetters).toEqual([]);
  });

  it('#8.6 an id stored before with other content is refused EVENT_ID_CONFLICT and dead-lettered; the first stays', async () => {
    await ingest.execute({ source: 'rest', items: [{ payload: event('e-1') }] });
    const again = await ingest.execute({ source: 'rest', items: [{ payload: event('e-1', { quantity: 7 }) }, { payload: event('e-1', { subscriptionId: 'sub_2' }) }] });
    expect(again).toMatchObject({ accepted: 0, duplicates: 0 });
    expect(again.rejected.map((refusal) => refusal.code)).toEqual(['EVENT_ID_CONFLICT', 'EVENT_ID_CONFLICT']);
    expect(again.rejected[1].message).toMatch(/subscriptionId/);
    expect(repository.events.get('e-1')?.quantity).toBe(2);
    expect(repository.conflictLetters).toEqual([expect.objectContaining({ code: 'EVENT_ID_CONFLICT', eventId: 'e-1', source: 'rest' })]);
    expect(repository.writes[1].deadLetters).toEqual([expect.objectContaining({ code: 'EVENT_ID_CONFLICT', eventId: 'e-1' })]);
  });

  it('#9.3 a replay reports refusals without writing a second dead letter', async () => {
    const result = await ingest.execute({ source: 'rest', items: [{ payload: event('e-5', { quantity: -1 }) }], deadLetterRefusals: false });
    expect(result.rejected).toEqual([{ id: 'e-5', code: 'VALIDATION_FAILED', message: expect.any(String) }]);
    expect(repository.writes).toHaveLength(0);
  });
});

describe('ReportUsageEventsUseCase (POST /v1/usage-events)', () => {
  it.each<[string, unknown]>([
    ['no body', undefined],
    ['no events', {}],
    ['an empty list', { events: [] }],
    ['a list of 1001', { events: Array.from({ length: 1001 }, (_, i) => event(`e-${i}`)) }],
    ['a body that is a list', [event('e-1')]],
  ])('R8.1: refuses %s and stores nothing', async (_name, body) => {
    const repository = new InMemoryRepository(['sub_1']);
    const report = new ReportUsageEventsUseCase(new IngestUsageEventsUseCase({ repository, clock: new FakeClock() }));
    await expect(report.execute(body)).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/events/) });
    expect(repository.writes).toHaveLength(0);
  });

  it('#9.3 an event for a subscription not known yet is accepted and parked on REST, not refused', async () => {
    const repository = new InMemoryRepository([]);
    const report = new ReportUsageEventsUseCase(new IngestUsageEventsUseCase({ repository, clock: new FakeClock() }));
    expect(await report.execute({ events: [event('e-1')] })).toEqual({ accepted: 1, parked: 1, duplicates: 0, rejected: [] });
    expect(repository.events.get('e-1')?.parked).toBe(true);
  });
});
