import { SUBSCRIPTION_ENTITIES, SUBSCRIPTION_MIGRATIONS } from '@cec/subscription-persistence';

/** What the subscription app persists; shared by the Nest module and the command-line steps. */
export const SUBSCRIPTION_ORM = { app: 'subscription' as const, entities: SUBSCRIPTION_ENTITIES, migrations: SUBSCRIPTION_MIGRATIONS };
