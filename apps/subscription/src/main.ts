import 'reflect-metadata';
import { bootstrapApp } from '@cec/platform';
import { SubscriptionAppModule } from './app.module';

void bootstrapApp(SubscriptionAppModule.register(), {
  app: 'subscription',
  title: 'CEC billing: subscription',
  description:
    'Enterprise accounts and their pay-per-use subscriptions: enabling, quantity and edition changes, cancellation, each at an instant (R3). ' +
    'Every change is published as subscription.changed, every new account as subscription.account.created (JetStream stream BILLING_EVENTS).',
}).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
