import { eventIdConflictMessage, sameUsageEventContent } from './usage-event-identity';
import { validateUsageEvent, ValidUsageEvent } from './usage-event.validator';

function valid(input: Record<string, unknown>): ValidUsageEvent {
  const result = validateUsageEvent({ id: 'e-1', subscriptionId: 'sub_1', quantity: 2, timestamp: '2026-01-31T17:00:00Z', ...input });
  if (!result.ok) throw new Error(result.message);
  return result.event;
}

describe('#8.6 usage event identity: same id, same content?', () => {
  it('#8.6 the same instant written in another offset or with a fraction of a second is the same content', () => {
    expect(sameUsageEventContent(valid({}), valid({ timestamp: '2026-02-01T01:00:00.999+08:00' }))).toBe(true);
    expect(sameUsageEventContent(valid({ quantity: 0 }), valid({ quantity: -0 }))).toBe(true);
  });

  it.each<[string, Record<string, unknown>]>([
    ['another quantity', { quantity: 3 }],
    ['another subscription', { subscriptionId: 'sub_2' }],
    ['another second', { timestamp: '2026-01-31T17:00:01Z' }],
  ])('#8.6 %s is other content, and the message names it', (_name, patch) => {
    const stored = valid({});
    const received = valid(patch);
    expect(sameUsageEventContent(stored, received)).toBe(false);
    const field = Object.keys(patch)[0];
    expect(eventIdConflictMessage('e-1', stored, received)).toMatch(new RegExp(`^id e-1 was already used .*${field}`));
  });
});
