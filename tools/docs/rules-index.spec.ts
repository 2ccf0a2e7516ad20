import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRulesIndex, citedRules, collectCitations, parseRules, renderRulesIndex, roleOf } from './rules-index-builder';

const root = join(__dirname, '..', '..');

describe('RULES.md (the rule index)', () => {
  it('is current: regenerate with npm run docs:rules after changing which code or test cites a rule', () => {
    expect(readFileSync(join(root, 'RULES.md'), 'utf8')).toBe(buildRulesIndex(root));
  });

  it('lists every rule of docs/billing-rules.md, R1.1 to R8.1, each proved by at least one test', () => {
    const rules = parseRules(readFileSync(join(root, 'docs', 'billing-rules.md'), 'utf8'));
    expect(rules.map((rule) => rule.id)).toEqual(expect.arrayContaining(['R1.1', 'R4.1', 'R4.6', 'R6.3', 'R7.6', 'R8.1']));
    expect(rules).toHaveLength(30);
    const index = readFileSync(join(root, 'RULES.md'), 'utf8');
    for (const rule of rules) {
      const section = index.split(`\n## ${rule.id}\n`)[1]?.split('\n## ')[0] ?? '';
      expect({ rule: rule.id, tested: section.includes('**Tests**') }).toEqual({ rule: rule.id, tested: true });
    }
  });
});

describe('rules-index-builder', () => {
  it('reads single citations and ranges (R4.1-R4.4, R7.1–R7.3) and nothing else', () => {
    expect(citedRules('rates a month (R4.1-R4.4; discounts R5): R6.2 and R7.1–R7.3')).toEqual([
      'R4.1',
      'R4.2',
      'R4.3',
      'R4.4',
      'R6.2',
      'R7.1',
      'R7.2',
      'R7.3',
    ]);
    expect(citedRules('PR4.1 R10 r4.1 R4')).toEqual([]);
  });

  it('tells code, tests and tools apart', () => {
    expect(roleOf('libs/billing/domain/src/rating.ts')).toBe('code');
    expect(roleOf('libs/billing/domain/src/rating.property.spec.ts')).toBe('test');
    expect(roleOf('apps/billing/src/test/billing-run.integration-spec.ts')).toBe('test');
    expect(roleOf('e2e/support/stack.ts')).toBe('test');
    expect(roleOf('tools/audit/audit-engine.ts')).toBe('tool');
  });

  it('names the symbol a comment documents, the method around a citation and the test that names the rule', () => {
    const citations = collectCitations([
      {
        path: 'libs/x/domain/src/rating.ts',
        text: ['/** Rates a month (R4.3). */', 'export function rateMonth(): void {', '  // R4.4 rounds once', '}'].join('\n'),
      },
      {
        path: 'libs/x/domain/src/store.ts',
        text: ['export class Store {', '  save(x: number): void {', '    // R6.1: the key decides', '  }', '}'].join('\n'),
      },
      {
        path: 'libs/x/domain/src/rating.spec.ts',
        text: ["describe('rating (R4.3)', () => {", "  it('R4.4 rounds half away from zero', () => {", '    // also R4.3', '  });', '});'].join('\n'),
      },
    ]);
    expect(citations.get('R4.3')).toEqual([
      { path: 'libs/x/domain/src/rating.ts', role: 'code', names: ['rateMonth'] },
      { path: 'libs/x/domain/src/rating.spec.ts', role: 'test', names: ['rating (R4.3)', 'R4.4 rounds half away from zero'] },
    ]);
    expect(citations.get('R4.4')?.[0]).toEqual({ path: 'libs/x/domain/src/rating.ts', role: 'code', names: ['rateMonth'] });
    expect(citations.get('R6.1')).toEqual([{ path: 'libs/x/domain/src/store.ts', role: 'code', names: ['save'] }]);
  });

  it('lists rule numbers cited in the sources that are not rules, so a wrong citation shows', () => {
    const text = renderRulesIndex([{ id: 'R4.1', summary: 'q(d).' }], collectCitations([{ path: 'libs/a.ts', text: '// R4.9 and R4.1' }]));
    expect(text).toContain('## Cited but not a rule');
    expect(text).toContain('- R4.9: `libs/a.ts`');
  });
});
