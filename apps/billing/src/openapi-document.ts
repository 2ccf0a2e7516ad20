import type { OpenAPIObject } from '@nestjs/swagger';
import { createOpenApiDocument } from '@cec/platform';
import { BILLING_APP_DESCRIPTION } from './app-description';
import { BillingAppModule } from './app.module';

/**
 * The billing app's OpenAPI document, as served at /docs-json, built without a database, NATS or a
 * port. `npm run docs:openapi` writes it to docs/openapi/billing.json; openapi.spec.ts checks that file.
 */
export function openApiDocument(): Promise<OpenAPIObject> {
  return createOpenApiDocument(() => BillingAppModule.register(), BILLING_APP_DESCRIPTION);
}
