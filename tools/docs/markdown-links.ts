import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

/** A relative link of a Markdown file that leads nowhere. */
export interface BrokenLink {
  file: string;
  link: string;
  reason: string;
}

/** GitHub's anchor of a heading: lowercase, punctuation dropped, spaces to dashes. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) anchors.add(headingAnchor(heading[1]));
  }
  return anchors;
}

/**
 * The relative links (`[text](path#anchor)`) of the given Markdown files whose file does not exist
 * or, for a Markdown target, whose anchor is no heading of it. External links are not checked.
 */
export function brokenLinks(root: string, files: readonly string[]): BrokenLink[] {
  const broken: BrokenLink[] = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = match[1];
      if (/^[a-z]+:/i.test(link)) continue;
      const [path, anchor] = link.split('#');
      const target = path === '' ? join(root, file) : join(root, dirname(file), path);
      const shown = relative(root, target).split(sep).join('/');
      if (!existsSync(target)) {
        broken.push({ file, link, reason: `${shown} does not exist` });
      } else if (anchor && statSync(target).isFile() && target.endsWith('.md') && !anchorsOf(readFileSync(target, 'utf8')).has(anchor)) {
        broken.push({ file, link, reason: `${shown} has no heading #${anchor}` });
      }
    }
  }
  return broken;
}
