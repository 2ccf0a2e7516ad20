import type { AppDescription } from '@cec/platform';

/** The subscription app's name and the title and description of its OpenAPI document (main.ts, docs/openapi). */
export const SUBSCRIPTION_APP_DESCRIPTION: AppDescription = {
  app: 'subscription',
  title: 'CEC billing: subscription',
  description:
    'Enterprise accounts and their pay-per-use subscriptions: enabling, quantity and edition changes, cancellation, each at an instant (R3). ' +
    'Every change is published as subscription.changed, every new account as subscription.account.created (JetStream stream BILLING_EVENTS).',
};
