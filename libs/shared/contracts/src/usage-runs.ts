import type { DailyUsageMessage, DailyUsageRun } from './payloads';

// The wire codec of SubscriptionUsageMessage.runs. Pure calendar arithmetic on YYYY-MM-DD strings.

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const pad2 = (value: number): string => (value < 10 ? `0${value}` : String(value));

/** The date after a YYYY-MM-DD date (string arithmetic, no date object: on the hot path of a run, #11). */
function nextDate(date: string): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  if (!(date.length === 10 && year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month))) {
    // not a plain date: as before, whatever Date makes of it (a run of such dates is refused later)
    const [y, m, d] = date.split('-').map(Number);
    return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  }
  if (day < daysInMonth(year, month)) return `${date.slice(0, 8)}${pad2(day + 1)}`;
  return month < 12 ? `${date.slice(0, 5)}${pad2(month + 1)}-01` : `${String(year + 1).padStart(4, '0')}-01-01`;
}

function sameProducts(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((code, i) => code === b[i]);
}

/** Collapses days (in date order, quantity > 0) into runs of consecutive equal days. */
export function toUsageRuns(days: readonly DailyUsageMessage[]): DailyUsageRun[] {
  const runs: DailyUsageRun[] = [];
  for (const day of days) {
    const last = runs[runs.length - 1];
    if (last && nextDate(last.to) === day.date && last.quantity === day.quantity && sameProducts(last.productCodes, day.productCodes)) {
      last.to = day.date;
    } else {
      runs.push({ from: day.date, to: day.date, quantity: day.quantity, productCodes: [...day.productCodes] });
    }
  }
  return runs;
}

/** Expands runs back into one entry per day. */
export function fromUsageRuns(runs: readonly DailyUsageRun[]): DailyUsageMessage[] {
  const days: DailyUsageMessage[] = [];
  for (const run of runs) {
    for (let date = run.from; date <= run.to; date = nextDate(date)) {
      days.push({ date, quantity: run.quantity, productCodes: [...run.productCodes] });
      if (days.length > 100_000) throw new Error('usage runs span an implausible number of days');
    }
  }
  return days;
}
