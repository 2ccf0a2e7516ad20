/**
 * `npm run docs:openapi`: writes the OpenAPI document of each app to docs/openapi/<app>.json, built
 * as the app builds the one it serves at /docs-json but without listening or connecting anywhere
 * (createOpenApiDocument: Nest's preview mode). `--check` writes nothing and exits 1 when a
 * committed file differs; each app's `src/openapi.spec.ts` makes the same check in `npm test`.
 */
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { openApiJson } from '@cec/platform';

/** Each app's `src/openapi-document.ts` (loaded by path: tools import no app's code statically). */
const APPS = ['catalog', 'subscription', 'metering', 'billing'] as const;

const root = join(__dirname, '..', '..');

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  for (const app of APPS) {
    const entry = (await import(join(root, 'apps', app, 'src', 'openapi-document'))) as { openApiDocument: () => Promise<OpenAPIObject> };
    const file = join(root, 'docs', 'openapi', `${app}.json`);
    const text = openApiJson(await entry.openApiDocument());
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = '';
    }
    if (current === text) continue;
    stale.push(file);
    if (!check) writeFileSync(file, text);
  }
  if (check && stale.length > 0) {
    console.error(`stale: ${stale.join(', ')} (run npm run docs:openapi)`);
    process.exit(1);
  }
  console.log(check ? 'docs/openapi is current' : `docs/openapi: ${stale.length} file(s) written`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
