/**
 * The start-up section of BENCHMARKS.md, written by `npm run bench:startup` and kept by `npm run bench`
 * (numbered like the others, so that `npm run bench` keeps it as a section it did not run).
 */
export const STARTUP_HEADING = '## 4. Start-up time and memory per app (compiled runtime, #12)';

/** BENCHMARKS.md with its start-up section replaced by `section` (appended when it has none). */
export function withStartupSection(markdown: string, section: string): string {
  const start = markdown.indexOf(STARTUP_HEADING);
  if (start < 0) return `${markdown.trimEnd()}\n\n${section.trimEnd()}\n`;
  const next = markdown.indexOf('\n## ', start + STARTUP_HEADING.length);
  const rest = next < 0 ? '' : markdown.slice(next + 1);
  return `${markdown.slice(0, start)}${section.trimEnd()}\n${rest ? `\n${rest}` : ''}`;
}

/** The start-up section of an existing BENCHMARKS.md (empty when it has none), for `npm run bench` to keep. */
export function startupSectionOf(markdown: string): string {
  const start = markdown.indexOf(STARTUP_HEADING);
  if (start < 0) return '';
  const next = markdown.indexOf('\n## ', start + STARTUP_HEADING.length);
  return markdown.slice(start, next < 0 ? undefined : next).trimEnd();
}
