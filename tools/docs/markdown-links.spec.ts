import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokenLinks, headingAnchor } from './markdown-links';

const root = join(__dirname, '..', '..');

describe('the documentation links', () => {
  it('every relative link of README, CONTRIBUTING, RULES, docs/ and the apps\' READMEs leads to a file and heading', () => {
    const files = ['README.md', 'CONTRIBUTING.md', 'RULES.md', ...markdownFiles('docs'), ...markdownFiles('apps')];
    expect(files).toEqual(expect.arrayContaining(['docs/contract.md', 'apps/billing/README.md']));
    expect(brokenLinks(root, files)).toEqual([]);
  });

  it('finds a missing file and a missing heading, and takes headings as GitHub anchors them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'links-'));
    writeFileSync(join(dir, 'a.md'), '# A\n\n## Layers (an Nx workspace)\n');
    writeFileSync(join(dir, 'b.md'), '[ok](a.md#layers-an-nx-workspace) [gone](c.md) [no heading](a.md#b) [web](https://x.y/z.md)\n');
    expect(brokenLinks(dir, ['b.md'])).toEqual([
      { file: 'b.md', link: 'c.md', reason: 'c.md does not exist' },
      { file: 'b.md', link: 'a.md#b', reason: 'a.md has no heading #b' },
    ]);
    expect(headingAnchor('Layers (an Nx workspace)')).toBe('layers-an-nx-workspace');
    expect(headingAnchor('Billing (3004)')).toBe('billing-3004');
    expect(headingAnchor('`usage.reported` (in)')).toBe('usagereported-in');
  });
});

function markdownFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string): void => {
    for (const entry of readdirSync(join(root, path), { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const child = `${path}/${entry.name}`;
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith('.md')) found.push(child);
    }
  };
  walk(dir);
  return found.sort();
}
