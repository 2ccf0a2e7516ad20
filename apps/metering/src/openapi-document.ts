import type { OpenAPIObject } from '@nestjs/swagger';
import { createOpenApiDocument } from '@cec/platform';
import { METERING_APP_DESCRIPTION } from './app-description';
import { MeteringAppModule } from './app.module';

/**
 * The metering app's OpenAPI document, as served at /docs-json, built without a database, NATS or a
 * port. `npm run docs:openapi` writes it to docs/openapi/metering.json; openapi.spec.ts checks that file.
 */
export function openApiDocument(): Promise<OpenAPIObject> {
  return createOpenApiDocument(() => MeteringAppModule.register(), METERING_APP_DESCRIPTION);
}
