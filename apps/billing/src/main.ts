import 'reflect-metadata';
import { bootstrapApp } from '@cec/platform';
import { BILLING_APP_DESCRIPTION } from './app-description';
import { BillingAppModule } from './app.module';

void bootstrapApp(BillingAppModule.register(), BILLING_APP_DESCRIPTION).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
