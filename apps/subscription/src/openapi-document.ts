import type { OpenAPIObject } from '@nestjs/swagger';
import { createOpenApiDocument } from '@cec/platform';
import { SUBSCRIPTION_APP_DESCRIPTION } from './app-description';
import { SubscriptionAppModule } from './app.module';

/**
 * The subscription app's OpenAPI document, as served at /docs-json, built without a database, NATS or a
 * port. `npm run docs:openapi` writes it to docs/openapi/subscription.json; openapi.spec.ts checks that file.
 */
export function openApiDocument(): Promise<OpenAPIObject> {
  return createOpenApiDocument(() => SubscriptionAppModule.register(), SUBSCRIPTION_APP_DESCRIPTION);
}
