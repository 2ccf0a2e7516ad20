/**
 * Summarises a V8 `.cpuprofile` (node --cpu-prof) as text: self time by function, the top N, and
 * self time by package (node_modules/<name>, node internals, the project's own code).
 *
 *   node tools/run-ts.js tools/bench/profile-summary.ts <file.cpuprofile> [top=15] [> summary.txt]
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function where(frame: CallFrame): string {
  if (!frame.url) return '';
  const modules = frame.url.lastIndexOf('node_modules/');
  const path = modules >= 0 ? frame.url.slice(modules + 'node_modules/'.length) : frame.url.replace(/^.*\/(apps|libs|tools)\//, '$1/');
  return `${path.replace(/^file:\/\//, '')}:${frame.lineNumber + 1}`;
}

function packageOf(frame: CallFrame): string {
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url);
  if (modules) return modules[1];
  if (frame.url.startsWith('node:')) return 'node internals';
  return 'project code';
}

export function summariseProfile(profile: CpuProfile, top: number, title: string): string {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfByFunction = new Map<string, number>();
  const selfByPackage = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const node = byNode.get(id);
    if (!node) return;
    total += delta;
    const key = `${node.callFrame.functionName || '(anonymous)'}  ${where(node.callFrame)}`.trim();
    selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + delta);
    const pkg = packageOf(node.callFrame);
    selfByPackage.set(pkg, (selfByPackage.get(pkg) ?? 0) + delta);
  });
  const ms = (us: number): string => (us / 1000).toFixed(0).padStart(8);
  const pct = (us: number): string => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const rows = (map: Map<string, number>, n: number): string[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => `${ms(us)} ms ${pct(us)}  ${name}`);
  return [
    `${title}: ${(total / 1e6).toFixed(1)} s of samples`,
    '',
    `self time by function (top ${top}):`,
    ...rows(selfByFunction, top),
    '',
    'self time by package:',
    ...rows(selfByPackage, 12),
    '',
  ].join('\n');
}

if (process.argv[1]?.endsWith('profile-summary.ts')) {
  const [file, top = '15'] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  process.stdout.write(summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(top), basename(file)));
}
