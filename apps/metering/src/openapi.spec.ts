import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOpenApiDocument, openApiJson } from '@cec/platform';
import { METERING_APP_DESCRIPTION } from './app-description';
import { MeteringAppModule } from './app.module';

const committed = join(__dirname, '..', '..', '..', 'docs', 'openapi', 'metering.json');

describe('docs/openapi/metering.json', () => {
  it('is the OpenAPI document the metering app serves at /docs-json (regenerate with npm run docs:openapi)', async () => {
    const document = await createOpenApiDocument(() => MeteringAppModule.register(), METERING_APP_DESCRIPTION);
    expect(Object.keys(document.paths)).toContain('/health');
    expect(readFileSync(committed, 'utf8')).toBe(openApiJson(document));
  });
});
