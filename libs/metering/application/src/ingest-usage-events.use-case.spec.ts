import { FakeClock } from '@cec/kernel';
import type { EpochSeconds } from '@cec/metering-domain';
import { IngestUsageEventsUseCase } from './ingest-usage-events.use-case';
import { ReportUsageEventsUseCase } from './report-usage-events.use-case';
import type { AccountRevision, DeadLetterKind, DeadLetterRecord, MeteringRepository, SubscriptionChangesWrite, SubscriptionPoints, SubscriptionRecord, UsageBatchWrite } from './metering.ports';

/** In memory: a map keyed by event id stands for the database's primary key. */
class InMemoryRepository implements MeteringRepository {
  readonly events = new Map<string, { subscriptionId: string; quantity: number; at: number; period: string }>();
  readonly writes: UsageBatchWrite[] = [];

  constructor(private readonly subscriptions: readonly string[]) {}

  async knownSubscriptionIds(ids: readonly string[]): Promise<Set<string>> {
    return new Set(ids.filter((id) => this.subscriptions.includes(id)));
  }

  async writeUsageBatch(write: UsageBatchWrite): Promise<ReadonlySet<string>> {
    this.writes.push(write);
    const inserted = new Set<string>();
    for (const event of write.events) {
      if (this.events.has(event.id)) continue;
      this.events.set(event.id, event);
      inserted.add(event.id);
    }
    return inserted;
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
  pointsOfAccounts(): Promise<{ asOfRevision: string; subscriptions: SubscriptionPoints[] }> {
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
        { payload: event('e-1', { quantity: 99 }) },
        { payload: event('e-3', { subscriptionId: 'sub_new' }), mayDeferUnknownSubscription: true },
        { payload: event('e-4', { subscriptionId: 'sub_gone' }), natsKey: 'USAGE:6:9' },
      ],
    });
    expect(result.outcomes.map((outcome) => outcome.status)).toEqual(['accepted', 'rejected', 'rejected', 'duplicate', 'deferred', 'rejected']);
    expect(result).toMatchObject({ accepted: 1, duplicates: 1, deferred: 1 });
    expect(result.rejected).toEqual([
      { id: null, code: 'VALIDATION_FAILED', message: expect.stringMatching(/not valid JSON/) },
      { id: 'e-2', code: 'VALIDATION_FAILED', message: expect.stringMatching(/quantity/) },
      { id: 'e-4', code: 'UNKNOWN_SUBSCRIPTION', message: expect.stringMatching(/sub_gone/) },
    ]);
    expect(repository.writes).toHaveLength(1);
    const [write] = repository.writes;
    expect(write.events).toEqual([{ id: 'e-1', subscriptionId: 'sub_1', quantity: 2, at: Date.parse('2026-01-31T17:00:00Z') / 1000, period: '2026-02' }]);
    expect(write.deadLetters.map((letter) => [letter.eventId, letter.code, letter.natsKey, letter.source, letter.kind])).toEqual([
      [null, 'VALIDATION_FAILED', 'USAGE:2:9', 'nats', 'usage_event'],
      ['e-2', 'VALIDATION_FAILED', 'USAGE:3:9', 'nats', 'usage_event'],
      ['e-4', 'UNKNOWN_SUBSCRIPTION', 'USAGE:6:9', 'nats', 'usage_event'],
    ]);
    expect(write.deadLetters[0].payload).toBe('{"id"');
    expect(write.receivedAt.toISO()).toBe('2026-02-01T00:00:00.000Z');
  });

  it('R6.1: an id stored before is a duplicate, however late', async () => {
    await ingest.execute({ source: 'rest', items: [{ payload: event('e-1') }] });
    const again = await ingest.execute({ source: 'rest', items: [{ payload: event('e-1', { quantity: 7 }) }] });
    expect(again).toMatchObject({ accepted: 0, duplicates: 1, rejected: [] });
    expect(repository.events.get('e-1')?.quantity).toBe(2);
  });

  it('does not touch the database for a batch with nothing to write', async () => {
    const result = await ingest.execute({ source: 'nats', items: [{ payload: event('e-9', { subscriptionId: 'sub_new' }), mayDeferUnknownSubscription: true }] });
    expect(result.deferred).toBe(1);
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

  it('R6.3: an unknown subscription is refused at once on REST', async () => {
    const repository = new InMemoryRepository([]);
    const report = new ReportUsageEventsUseCase(new IngestUsageEventsUseCase({ repository, clock: new FakeClock() }));
    expect(await report.execute({ events: [event('e-1')] })).toEqual({
      accepted: 0,
      duplicates: 0,
      rejected: [{ id: 'e-1', code: 'UNKNOWN_SUBSCRIPTION', message: expect.any(String) }],
    });
  });
});
