import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOpenApiDocument, openApiJson } from '@cec/platform';
import { BILLING_APP_DESCRIPTION } from './app-description';
import { BillingAppModule } from './app.module';

const committed = join(__dirname, '..', '..', '..', 'docs', 'openapi', 'billing.json');

describe('docs/openapi/billing.json', () => {
  it('is the OpenAPI document the billing app serves at /docs-json (regenerate with npm run docs:openapi)', async () => {
    const document = await createOpenApiDocument(() => BillingAppModule.register(), BILLING_APP_DESCRIPTION);
    expect(Object.keys(document.paths)).toContain('/health');
    expect(readFileSync(committed, 'utf8')).toBe(openApiJson(document));
  });
});
