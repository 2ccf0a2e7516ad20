import 'reflect-metadata';
import { bootstrapApp } from '@cec/platform';
import { SUBSCRIPTION_APP_DESCRIPTION } from './app-description';
import { SubscriptionAppModule } from './app.module';

void bootstrapApp(SubscriptionAppModule.register(), SUBSCRIPTION_APP_DESCRIPTION).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
