import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOpenApiDocument, openApiJson } from '@cec/platform';
import { CATALOG_APP_DESCRIPTION } from './app-description';
import { CatalogAppModule } from './app.module';

const committed = join(__dirname, '..', '..', '..', 'docs', 'openapi', 'catalog.json');

describe('docs/openapi/catalog.json', () => {
  it('is the OpenAPI document the catalog app serves at /docs-json (regenerate with npm run docs:openapi)', async () => {
    const document = await createOpenApiDocument(() => CatalogAppModule.register(), CATALOG_APP_DESCRIPTION);
    expect(Object.keys(document.paths)).toContain('/health');
    expect(readFileSync(committed, 'utf8')).toBe(openApiJson(document));
  });
});
