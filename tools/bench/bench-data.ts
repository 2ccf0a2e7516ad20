/**
 * Deterministic benchmark data: a seeded PRNG (mulberry32), so every run of the benchmark sees the
 * same events, accounts and timelines.
 */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BenchUsageEvent {
  id: string;
  subscriptionId: string;
  quantity: number;
  timestamp: string;
}

/** N usage events spread over S subscriptions and one month (UTC+8), seeded. */
export function* usageEvents(count: number, subscriptions: number, seed = 42, month = '2026-10'): Generator<BenchUsageEvent> {
  const random = prng(seed);
  const [year, mon] = month.split('-').map(Number);
  const start = Date.UTC(year, mon - 1, 1) / 1000 - 8 * 3600;
  const seconds = new Date(Date.UTC(year, mon, 0)).getUTCDate() * 86400;
  for (let i = 0; i < count; i += 1) {
    const at = start + Math.floor(random() * seconds);
    yield {
      id: `bench-${seed}-${i}`,
      subscriptionId: `bench-sub-${i % subscriptions}`,
      quantity: 1 + Math.floor(random() * 50),
      timestamp: new Date(at * 1000).toISOString().replace('.000Z', 'Z'),
    };
  }
}
