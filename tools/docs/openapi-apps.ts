import type { DynamicModule } from '@nestjs/common';
import type { AppDescription } from '@cec/platform';
import { BILLING_APP_DESCRIPTION } from '../../apps/billing/src/app-description';
import { BillingAppModule } from '../../apps/billing/src/app.module';
import { CATALOG_APP_DESCRIPTION } from '../../apps/catalog/src/app-description';
import { CatalogAppModule } from '../../apps/catalog/src/app.module';
import { METERING_APP_DESCRIPTION } from '../../apps/metering/src/app-description';
import { MeteringAppModule } from '../../apps/metering/src/app.module';
import { SUBSCRIPTION_APP_DESCRIPTION } from '../../apps/subscription/src/app-description';
import { SubscriptionAppModule } from '../../apps/subscription/src/app.module';

/** The four apps whose OpenAPI documents are committed under docs/openapi. */
export const OPENAPI_APPS: ReadonlyArray<{ description: AppDescription; module: () => DynamicModule }> = [
  { description: CATALOG_APP_DESCRIPTION, module: () => CatalogAppModule.register() },
  { description: SUBSCRIPTION_APP_DESCRIPTION, module: () => SubscriptionAppModule.register() },
  { description: METERING_APP_DESCRIPTION, module: () => MeteringAppModule.register() },
  { description: BILLING_APP_DESCRIPTION, module: () => BillingAppModule.register() },
];
