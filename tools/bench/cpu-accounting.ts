/**
 * Where a benchmark's CPU goes (#11): CPU seconds (user + system, from /proc/<pid>/stat) spent by
 * each app process, by PostgreSQL (every `postgres` process, plus what the postmaster collected
 * from backends that exited), by nats-server and by the bench itself, between two snapshots. On a
 * 2-core machine the capacity over a window of t seconds is 2t: the split shows who used it.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux (getconf CLK_TCK)

export type CpuSnapshot = Record<string, number>;

interface ProcStat {
  comm: string;
  ppid: number;
  own: number;
  children: number;
}

function procStat(pid: string): ProcStat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // fields after "(comm) ": state ppid ... utime(14) stime(15) cutime(16) cstime(17), 1-based overall
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const field = (n: number): number => Number(rest[n - 3]);
    return { comm, ppid: field(4), own: (field(14) + field(15)) / TICKS_PER_SECOND, children: (field(16) + field(17)) / TICKS_PER_SECOND };
  } catch {
    return null; // the process ended while we looked
  }
}

/**
 * CPU seconds so far by group: the named app processes (`apps`: name → pid), `postgres`,
 * `nats-server` and `bench` (this process).
 */
export function cpuSnapshot(apps: ReadonlyArray<{ app: string; pid: string }>): CpuSnapshot {
  const snapshot: CpuSnapshot = {};
  const add = (group: string, seconds: number): void => {
    snapshot[group] = (snapshot[group] ?? 0) + seconds;
  };
  for (const { app, pid } of apps) {
    const stat = procStat(pid);
    if (stat) add(app, stat.own);
  }
  const stats = new Map<string, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(entry);
    if (stat && (stat.comm === 'postgres' || stat.comm === 'nats-server')) stats.set(entry, stat);
  }
  for (const [, stat] of stats) {
    add(stat.comm, stat.own);
    // the postmaster (a postgres whose parent is not one) holds the time of backends it reaped
    if (stat.comm === 'postgres' && !stats.has(String(stat.ppid))) add('postgres', stat.children);
  }
  const own = process.cpuUsage();
  add('bench', (own.user + own.system) / 1e6);
  return snapshot;
}

/** CPU seconds by group between two snapshots, largest first. */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Array<{ group: string; seconds: number }> {
  return Object.keys(after)
    .map((group) => ({ group, seconds: Math.max(0, after[group] - (before[group] ?? 0)) }))
    .sort((a, b) => b.seconds - a.seconds);
}
