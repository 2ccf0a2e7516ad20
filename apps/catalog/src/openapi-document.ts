import type { OpenAPIObject } from '@nestjs/swagger';
import { createOpenApiDocument } from '@cec/platform';
import { CATALOG_APP_DESCRIPTION } from './app-description';
import { CatalogAppModule } from './app.module';

/**
 * The catalog app's OpenAPI document, as served at /docs-json, built without a database, NATS or a
 * port. `npm run docs:openapi` writes it to docs/openapi/catalog.json; openapi.spec.ts checks that file.
 */
export function openApiDocument(): Promise<OpenAPIObject> {
  return createOpenApiDocument(() => CatalogAppModule.register(), CATALOG_APP_DESCRIPTION);
}
