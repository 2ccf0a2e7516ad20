/**
 * Summarises a V8 `.cpuprofile` (node --cpu-prof) as text: self time per function, heaviest first.
 *
 *   node tools/run-ts.js tools/bench/profile-summary.ts <file.cpuprofile> [top=15] [FROM..TO] [> out.txt]
 *
 * FROM..TO (optional) keeps the samples taken in that window of the monotonic clock, in µs (as
 * `process.hrtime.bigint() / 1000n`; V8 stamps samples on the same clock): the billing bench prints
 * the window of its run, so that loading the data is left out. `around:PATTERN` instead takes the
 * window from the first to the last sample with a frame of a source matching PATTERN on its stack
 * (e.g. `around:account-drafter` for a billing run profiled before the bench printed its window).
 *
 * Self time of a function is the time of the samples taken while it was on top of the stack; the
 * profile's (idle), (program) and (garbage collector) pseudo-frames are listed like functions.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  name: string;
  where: string;
  selfMs: number;
}

function whereOf(url: string, line: number): string {
  if (url === '') return '';
  const path = url.replace(/^file:\/\//, '');
  const short = path.includes('/node_modules/') ? `node_modules/${path.split('/node_modules/').pop() ?? path}` : relative(process.cwd(), path) || path;
  return `${short}:${line + 1}`;
}

/** Self time per function (name and source position), heaviest first, and the profile's length. */
export function summarise(profile: CpuProfile, window?: { from: number; to: number }): { totalMs: number; functions: FunctionTime[] } {
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<string, FunctionTime>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window.from || at > window.to)) continue;
    const node = byNode.get(profile.samples[i]);
    if (!node) continue;
    const name = node.callFrame.functionName || '(anonymous)';
    const where = whereOf(node.callFrame.url, node.callFrame.lineNumber);
    const key = `${name}@${where}`;
    const entry = selfUs.get(key) ?? { name, where, selfMs: 0 };
    entry.selfMs += (profile.timeDeltas[i] ?? 0) / 1000;
    selfUs.set(key, entry);
  }
  const functions = [...selfUs.values()].sort((a, b) => b.selfMs - a.selfMs);
  const span = window ? Math.min(window.to, profile.endTime) - Math.max(window.from, profile.startTime) : profile.endTime - profile.startTime;
  return { totalMs: span / 1000, functions };
}

/**
 * The last stretch of samples with a frame of a source matching `pattern` on their stack (no gap of
 * more than 5 s between two of them): from its first to its last sample.
 */
function windowAround(profile: CpuProfile, pattern: RegExp): { from: number; to: number } {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((node) => [node.id, node]));
  const matches = new Map<number, boolean>();
  const matching = (id: number): boolean => {
    const known = matches.get(id);
    if (known !== undefined) return known;
    const node = byNode.get(id);
    const up = parent.get(id);
    const result = (node !== undefined && pattern.test(node.callFrame.url)) || (up !== undefined && matching(up));
    matches.set(id, result);
    return result;
  };
  let at = profile.startTime;
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < profile.samples.length; i += 1) {
    at += profile.timeDeltas[i] ?? 0;
    if (!matching(profile.samples[i])) continue;
    if (at - to > 5_000_000) from = at;
    to = at;
  }
  if (from > to) throw new Error(`no sample has a frame matching ${pattern}`);
  return { from, to };
}

function main(): void {
  const [file, topText, windowText] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  const top = Number(topText ?? 15);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const bounds = /^(\d+)\.\.(\d+)$/.exec(windowText ?? '');
  const around = /^around:(.+)$/.exec(windowText ?? '');
  const window = bounds ? { from: Number(bounds[1]), to: Number(bounds[2]) } : around ? windowAround(profile, new RegExp(around[1])) : undefined;
  const { totalMs, functions } = summarise(profile, window);
  const busyMs = functions.filter((f) => f.name !== '(idle)').reduce((sum, f) => sum + f.selfMs, 0);
  const lines = [
    `profile ${file.split('/').pop() ?? file}${window ? ` window ${windowText} (${Math.round(window.from)}..${Math.round(window.to)} µs)` : ''}: ${(totalMs / 1000).toFixed(1)} s recorded, ${(busyMs / 1000).toFixed(1)} s not idle`,
    '',
    `${'self ms'.padStart(9)} ${'% busy'.padStart(7)}  function  (source)`,
    ...functions.slice(0, top).map((f) => `${f.selfMs.toFixed(0).padStart(9)} ${(f.name === '(idle)' ? '' : ((100 * f.selfMs) / busyMs).toFixed(1)).padStart(7)}  ${f.name}  ${f.where}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (/profile-summary\.ts$/.test(process.argv[1] ?? '')) main();
