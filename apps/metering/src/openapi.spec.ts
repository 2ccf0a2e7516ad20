import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiJson } from '@cec/platform';
import { openApiDocument } from './openapi-document';

const committed = join(__dirname, '..', '..', '..', 'docs', 'openapi', 'metering.json');

describe('docs/openapi/metering.json', () => {
  it('is the OpenAPI document the metering app serves at /docs-json (regenerate with npm run docs:openapi)', async () => {
    const document = await openApiDocument();
    expect(Object.keys(document.paths)).toContain('/health');
    expect(readFileSync(committed, 'utf8')).toBe(openApiJson(document));
  });
});
