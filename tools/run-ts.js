#!/usr/bin/env node
// Runs a TypeScript entry point with SWC (decorator metadata on, tsconfig paths resolved):
//   node tools/run-ts.js apps/catalog/src/main.ts
const path = require('node:path');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(__dirname, '..', 'tsconfig.json');
require('@swc-node/register');
const entry = process.argv[2];
if (!entry) {
  console.error('usage: node tools/run-ts.js <file.ts> [args...]');
  process.exit(2);
}
process.argv.splice(1, 1);
require(path.resolve(entry));
