import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOpenApiDocument, openApiJson } from '@cec/platform';
import { SUBSCRIPTION_APP_DESCRIPTION } from './app-description';
import { SubscriptionAppModule } from './app.module';

const committed = join(__dirname, '..', '..', '..', 'docs', 'openapi', 'subscription.json');

describe('docs/openapi/subscription.json', () => {
  it('is the OpenAPI document the subscription app serves at /docs-json (regenerate with npm run docs:openapi)', async () => {
    const document = await createOpenApiDocument(() => SubscriptionAppModule.register(), SUBSCRIPTION_APP_DESCRIPTION);
    expect(Object.keys(document.paths)).toContain('/health');
    expect(readFileSync(committed, 'utf8')).toBe(openApiJson(document));
  });
});
