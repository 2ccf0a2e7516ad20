import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Builds RULES.md: for every rule of docs/billing-rules.md (R1.1 … R8.1), the code that cites it and
 * the tests that prove it, found by the rule numbers written in the TypeScript sources (comments,
 * test names). Generated rather than hand-written because the citations move with every change;
 * `npm run docs:rules` writes it and tools/docs/rules-index.spec.ts fails when it is stale.
 */

export interface Rule {
  id: string;
  /** The rule's first sentence (or its start), as written in docs/billing-rules.md. */
  summary: string;
}

export interface SourceFile {
  /** Path from the repository root, with forward slashes. */
  path: string;
  text: string;
}

export type Role = 'code' | 'test' | 'tool';

/** Where one file cites one rule: the symbols (code) or test names (tests) at the citations. */
export interface Citation {
  path: string;
  role: Role;
  /** Symbols (code, tools) or test names (tests); empty when none could be told. */
  names: string[];
}

const RULE_LINE = /^- \*\*(R[1-8]\.\d+)\*\* (.*)$/;
/** `R4.1`, and ranges `R4.1-R4.4` / `R7.1–R7.3` (every rule in between is cited). */
const CITATION = /\bR([1-8])\.(\d+)(?:\s*[–-]\s*R\1\.(\d+))?\b/g;
const SOURCE_ROOTS = ['apps', 'libs', 'e2e', 'tools'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'tmp', '.nx', 'coverage']);
/** This generator and its test cite rule numbers as examples, not as implementations. */
const SKIPPED_PREFIX = 'tools/docs/';

/** A top-level declaration (an indented `const` is a local variable, not a symbol worth naming). */
const DECLARATION =
  /^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|class|const|let|interface|type|enum)\s+([A-Za-z_$][\w$]*)/;
const METHOD = /^\s+(?:(?:public|private|protected|static|readonly|async|override|get|set)\s+)*([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\(.*\)\s*(?::\s*[^{]+)?\{\s*$/;
const NOT_METHODS = new Set(['if', 'for', 'while', 'switch', 'catch', 'function', 'return', 'constructor', 'super']);
const TEST_TITLE = /\b(it|test|describe)(?:\.(?:each|only|skip|concurrent)[^(]*(?:\([^)]*\))?)?\(\s*(['"`])((?:\\.|(?!\2).)*)\2/;

/** The rules of docs/billing-rules.md, in their order. */
export function parseRules(markdown: string): Rule[] {
  const rules: Rule[] = [];
  for (const line of markdown.split('\n')) {
    const match = RULE_LINE.exec(line);
    if (!match) continue;
    const text = match[2].replace(/\*\*/g, '');
    const sentence = /^(.+?\.)(?:\s|$)/.exec(text);
    const summary = sentence && sentence[1].length <= 140 ? sentence[1] : `${text.slice(0, 120).trimEnd()} …`;
    rules.push({ id: match[1], summary });
  }
  return rules;
}

/** The TypeScript sources under apps, libs, e2e and tools (not node_modules or build output), sorted by path. */
export function readSources(root: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const path = relative(root, full).split(sep).join('/');
        if (!path.startsWith(SKIPPED_PREFIX)) files.push({ path, text: readFileSync(full, 'utf8') });
      }
    }
  };
  for (const dir of SOURCE_ROOTS) walk(join(root, dir));
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function roleOf(path: string): Role {
  if (/\.(spec|integration-spec|e2e-spec)\.ts$/.test(path) || path.startsWith('e2e/')) return 'test';
  if (path.startsWith('tools/')) return 'tool';
  return 'code';
}

/** The rule ids a line cites, ranges expanded. */
export function citedRules(line: string): string[] {
  const ids: string[] = [];
  for (const match of line.matchAll(CITATION)) {
    const first = Number(match[2]);
    const last = match[3] === undefined ? first : Number(match[3]);
    for (let n = first; n <= Math.max(first, last); n++) ids.push(`R${match[1]}.${n}`);
  }
  return ids;
}

function isCommentLine(line: string): boolean {
  return /^\s*(\/\/|\/\*|\*)/.test(line);
}

function declarationAt(line: string): string | undefined {
  const declared = DECLARATION.exec(line);
  if (declared) return declared[1];
  const method = METHOD.exec(line);
  return method && !NOT_METHODS.has(method[1]) ? method[1] : undefined;
}

/**
 * The symbol a citation on line `index` belongs to: for a comment, the declaration the comment
 * documents (the first code line after it), else the nearest declaration above.
 */
function symbolOf(lines: string[], index: number): string | undefined {
  if (isCommentLine(lines[index])) {
    let next = index + 1;
    while (next < lines.length && (isCommentLine(lines[next]) || lines[next].trim() === '' || /^\s*@/.test(lines[next]))) next++;
    const documented = next < lines.length ? declarationAt(lines[next]) : undefined;
    if (documented) return documented;
  }
  for (let above = index; above >= 0; above--) {
    const symbol = declarationAt(lines[above]);
    if (symbol) return symbol;
  }
  return undefined;
}

/** The test a citation on line `index` belongs to: the title on that line, else the nearest test or suite above. */
function testOf(lines: string[], index: number): string | undefined {
  const own = TEST_TITLE.exec(lines[index]);
  if (own) return own[3];
  let suite: string | undefined;
  for (let above = index - 1; above >= 0; above--) {
    const title = TEST_TITLE.exec(lines[above]);
    if (!title) continue;
    if (title[1] !== 'describe') return title[3];
    suite = suite ?? title[3];
  }
  return suite;
}

/** Per rule id, the files citing it in path order, each with its symbols or test names in file order. */
export function collectCitations(files: SourceFile[]): Map<string, Citation[]> {
  const byRule = new Map<string, Citation[]>();
  for (const file of files) {
    const role = roleOf(file.path);
    const lines = file.text.split('\n');
    const names = new Map<string, string[]>();
    lines.forEach((line, index) => {
      const ids = citedRules(line);
      if (ids.length === 0) return;
      const name = role === 'test' ? testOf(lines, index) : symbolOf(lines, index);
      for (const id of ids) {
        const list = names.get(id) ?? [];
        if (name !== undefined && !list.includes(name)) list.push(name);
        names.set(id, list);
      }
    });
    for (const [id, list] of names) {
      const citations = byRule.get(id) ?? [];
      citations.push({ path: file.path, role, names: list });
      byRule.set(id, citations);
    }
  }
  return byRule;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
}

function citationLine(citation: Citation): string {
  if (citation.names.length === 0) return `- \`${citation.path}\``;
  const names = citation.role === 'test' ? citation.names.map((n) => `"${cell(n)}"`) : citation.names.map((n) => `\`${n}\``);
  return `- \`${citation.path}\`: ${names.join('; ')}`;
}

/** The text of RULES.md. */
export function renderRulesIndex(rules: Rule[], citations: Map<string, Citation[]>): string {
  const out: string[] = [
    '# Rule index',
    '',
    '<!-- Generated by `npm run docs:rules` (tools/docs/rules-index.ts); do not edit by hand. -->',
    '',
    'Every rule of [docs/billing-rules.md](docs/billing-rules.md), with the code that cites it and the tests that',
    'prove it, found by the rule numbers written in the TypeScript sources, so a rule is reached in one hop. For',
    'code the symbol is the declaration a citing comment documents, else the nearest top-level declaration or',
    'method above the citation; for tests, the test or suite whose name cites it (else the nearest one above).',
    'Regenerate with `npm run docs:rules` after changing which code or test cites a rule',
    '(`tools/docs/rules-index.spec.ts` fails while this file is stale).',
    '',
    '| rule | code | tests | tools |',
    '| --- | ---: | ---: | ---: |',
  ];
  const count = (id: string, role: Role): number => (citations.get(id) ?? []).filter((c) => c.role === role).length;
  for (const rule of rules) {
    const anchor = rule.id.toLowerCase().replace('.', '');
    out.push(`| [${rule.id}](#${anchor}) | ${count(rule.id, 'code')} | ${count(rule.id, 'test')} | ${count(rule.id, 'tool')} |`);
  }
  const known = new Set(rules.map((rule) => rule.id));
  for (const rule of rules) {
    const cited = citations.get(rule.id) ?? [];
    out.push('', `## ${rule.id}`, '', `${rule.summary} ([rule](docs/billing-rules.md))`);
    const sections: Array<[Role, string]> = [
      ['code', 'Code'],
      ['test', 'Tests'],
      ['tool', 'Tools (benchmarks, fault injection, audit)'],
    ];
    for (const [role, title] of sections) {
      const of = cited.filter((c) => c.role === role);
      if (of.length === 0) continue;
      out.push('', `**${title}**`, '', ...of.map(citationLine));
    }
    if (cited.length === 0) out.push('', '*Cited nowhere in the code or tests.*');
  }
  const unknown = [...citations.keys()].filter((id) => !known.has(id)).sort();
  if (unknown.length > 0) {
    out.push('', '## Cited but not a rule', '', 'Rule numbers written in the sources that docs/billing-rules.md does not define:', '');
    for (const id of unknown) out.push(`- ${id}: ${(citations.get(id) ?? []).map((c) => `\`${c.path}\``).join(', ')}`);
  }
  return `${out.join('\n')}\n`;
}

/** RULES.md for the repository at `root`. */
export function buildRulesIndex(root: string): string {
  const rules = parseRules(readFileSync(join(root, 'docs', 'billing-rules.md'), 'utf8'));
  return renderRulesIndex(rules, collectCitations(readSources(root)));
}
