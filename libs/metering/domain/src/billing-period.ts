import { BillingCalendar, billingCalendar } from '@cec/kernel';
import { EpochSeconds } from './usage-timeline';

const HOUR = 3600;
const CACHE_LIMIT = 50_000;
const caches = new WeakMap<BillingCalendar, Map<number, string>>();

/**
 * R2.3: the period (`YYYY-MM`, billing zone) an instant belongs to. Hot path of ingestion: the
 * answer is cached per whole UTC hour (zone offsets, Asia/Shanghai's included, only ever change
 * on whole hours), so a batch of events costs one calendar look-up per distinct hour.
 */
export function periodKeyOf(at: EpochSeconds, calendar: BillingCalendar = billingCalendar): string {
  let cache = caches.get(calendar);
  if (!cache) {
    cache = new Map();
    caches.set(calendar, cache);
  }
  const hour = Math.floor(at / HOUR);
  const cached = cache.get(hour);
  if (cached !== undefined) {
    return cached;
  }
  const key = calendar.periodOf(calendar.parseInstant(new Date(hour * HOUR * 1000).toISOString())).toString();
  if (cache.size >= CACHE_LIMIT) {
    cache.clear();
  }
  cache.set(hour, key);
  return key;
}
