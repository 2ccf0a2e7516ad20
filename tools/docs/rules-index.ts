/**
 * `npm run docs:rules`: writes RULES.md, the index from each rule of docs/billing-rules.md to the code
 * and tests that cite it (see rules-index-builder.ts). `--check` writes nothing and exits 1 when the
 * committed file is stale; tools/docs/rules-index.spec.ts makes the same check in `npm test`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRulesIndex } from './rules-index-builder';

const root = join(__dirname, '..', '..');
const file = join(root, 'RULES.md');
const text = buildRulesIndex(root);
let current = '';
try {
  current = readFileSync(file, 'utf8');
} catch {
  current = '';
}
if (process.argv.includes('--check')) {
  if (current !== text) {
    console.error('RULES.md is stale: run npm run docs:rules');
    process.exit(1);
  }
  console.log('RULES.md is current');
} else if (current !== text) {
  writeFileSync(file, text);
  console.log('RULES.md written');
} else {
  console.log('RULES.md is current');
}
