import type { DailyUsageMessage, DailyUsageRun } from './payloads';

// The wire codec of SubscriptionUsageMessage.runs. Pure calendar arithmetic on YYYY-MM-DD strings.

function nextDate(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10);
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
