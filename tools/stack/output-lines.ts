import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Nx's command line, wherever the installed nx package keeps it. */
export function nxBin(root: string): string {
  const manifest = require.resolve('nx/package.json', { paths: [root] });
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> };
  return join(dirname(manifest), bin['nx']);
}

/**
 * A child process's output as lines, for the stack's logs. This module imports only Node on purpose: build.ts
 * (which e2e's global setup loads as plain CommonJS) may import it, where it may not import
 * anything that reaches `@cec/*`.
 */
export function outputLines(data: Buffer): string[] {
  return data
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.length > 0);
}
