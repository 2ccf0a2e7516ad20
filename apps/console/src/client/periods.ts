// The billing calendar is UTC+8 (no daylight saving): a month there is [1st 00:00+08:00, next 1st).

const UTC8_MS = 8 * 60 * 60 * 1000;

/** The month (YYYY-MM, UTC+8) that ended last before `now`. */
export function lastEndedPeriod(now: Date): string {
  const shifted = new Date(now.getTime() + UTC8_MS);
  const year = shifted.getUTCFullYear();
  const month = shifted.getUTCMonth(); // 0-based: the current month's index is the previous month's number
  return month === 0 ? `${year - 1}-12` : `${year}-${String(month).padStart(2, '0')}`;
}

/** An ISO-8601 instant with offset → `YYYY-MM-DD HH:mm:ss` in UTC+8 (how the API writes them already, shortened). */
export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const shifted = new Date(date.getTime() + UTC8_MS).toISOString();
  return `${shifted.slice(0, 10)} ${shifted.slice(11, 19)}`;
}

/** Seconds until `iso` from `now`, as "1 min 05 s" / "42 s" / "now"; null without an estimate. */
export function formatEta(iso: string | null, now: Date): string | null {
  if (!iso) return null;
  const seconds = Math.round((new Date(iso).getTime() - now.getTime()) / 1000);
  if (Number.isNaN(seconds)) return null;
  if (seconds <= 0) return 'now';
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return minutes > 0 ? `${minutes} min ${String(rest).padStart(2, '0')} s` : `${rest} s`;
}
