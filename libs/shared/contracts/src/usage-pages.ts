import type { MonthlyUsageReply, SubscriptionUsageMessage, UsageCursor } from './payloads';

// Paging of a monthly usage answer by bytes (PATTERNS.meteringMonthlyUsage with `maxBytes`): a
// month where every quantity changes every day is ~2.4 kB per subscription, so no count of
// accounts per request is safe under NATS's max_payload; a budget of bytes is.

const encoder = new TextEncoder();

function bytes(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).length;
}

/** Orders usage entries as pages walk them: by accountId, then subscriptionId (code-unit order). */
export function compareUsageCursor(a: UsageCursor, b: UsageCursor): number {
  if (a.accountId !== b.accountId) return a.accountId < b.accountId ? -1 : 1;
  if (a.subscriptionId !== b.subscriptionId) return a.subscriptionId < b.subscriptionId ? -1 : 1;
  return 0;
}

/**
 * One page of a complete answer: its subscriptions from `after` on, in cursor order, as many as fit
 * in `maxBytes` of JSON (with room for `next`), and `next` when more remain. A page always holds at
 * least one subscription, so paging always progresses.
 */
export function usagePage(answer: MonthlyUsageReply, after: UsageCursor | undefined, maxBytes: number): MonthlyUsageReply {
  const remaining = [...answer.subscriptions]
    .sort(compareUsageCursor)
    .filter((entry) => after === undefined || compareUsageCursor(entry, after) >= 0);
  const page: SubscriptionUsageMessage[] = [];
  let size = bytes({ period: answer.period, asOfRevision: answer.asOfRevision, subscriptions: [], next: null });
  for (const entry of remaining) {
    const cursor: UsageCursor = { accountId: entry.accountId, subscriptionId: entry.subscriptionId };
    const entrySize = bytes(entry) + 1;
    if (page.length > 0 && size + entrySize + bytes(cursor) > maxBytes) {
      return { period: answer.period, asOfRevision: answer.asOfRevision, subscriptions: page, next: cursor };
    }
    page.push(entry);
    size += entrySize;
  }
  return { period: answer.period, asOfRevision: answer.asOfRevision, subscriptions: page, next: null };
}
