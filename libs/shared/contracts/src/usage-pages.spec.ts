import type { MonthlyUsageReply, SubscriptionUsageMessage, UsageCursor } from './payloads';
import { usagePage } from './usage-pages';
import { toUsageRuns } from './usage-runs';

function subscription(accountId: string, subscriptionId: string, seed: number): SubscriptionUsageMessage {
  const days = Array.from({ length: 30 }, (_, index) => ({ date: `2025-11-${String(index + 1).padStart(2, '0')}`, quantity: 1 + ((seed + index) % 7), productCodes: ['basic-cec'] }));
  return { accountId, subscriptionId, runs: toUsageRuns(days) };
}

describe('#9.1 usage pages bounded by bytes (metering.usage.monthly with maxBytes)', () => {
  const answer: MonthlyUsageReply = {
    period: '2025-11',
    asOfRevision: '42',
    // deliberately unordered: pages walk (accountId, subscriptionId)
    subscriptions: Array.from({ length: 60 }, (_, index) => subscription(`acc-${String(59 - index).padStart(2, '0')}`, `sub-${index % 3}`, index)),
  };

  it('#9.1 walking the pages gives every subscription exactly once, in order, each page within its byte budget', () => {
    const maxBytes = 8 * 1024;
    const seen: SubscriptionUsageMessage[] = [];
    let after: UsageCursor | undefined;
    let pages = 0;
    for (;;) {
      const page = usagePage(answer, after, maxBytes);
      pages += 1;
      expect(new TextEncoder().encode(JSON.stringify(page)).length).toBeLessThanOrEqual(maxBytes);
      expect(page.subscriptions.length).toBeGreaterThan(0);
      expect(page).toMatchObject({ period: '2025-11', asOfRevision: '42' });
      seen.push(...page.subscriptions);
      if (!page.next) break;
      after = page.next;
    }
    expect(pages).toBeGreaterThan(3);
    const key = (entry: SubscriptionUsageMessage): string => `${entry.accountId}/${entry.subscriptionId}`;
    expect(seen.map(key)).toEqual(answer.subscriptions.map(key).sort());
    expect(new Set(seen.map(key)).size).toBe(answer.subscriptions.length);
  });

  it('an answer that fits is one page without next; a budget smaller than one subscription still progresses', () => {
    expect(usagePage(answer, undefined, 10 * 1024 * 1024)).toMatchObject({ next: null, subscriptions: expect.arrayContaining(answer.subscriptions) });
    const tiny = usagePage(answer, undefined, 10);
    expect(tiny.subscriptions).toHaveLength(1);
    expect(tiny.subscriptions[0]).toMatchObject({ accountId: 'acc-00', subscriptionId: 'sub-2' });
    expect(tiny.next).toEqual({ accountId: 'acc-01', subscriptionId: 'sub-1' });
    expect(usagePage(answer, { accountId: 'acc-99', subscriptionId: '' }, 1024)).toEqual({ period: '2025-11', asOfRevision: '42', subscriptions: [], next: null });
  });
});
