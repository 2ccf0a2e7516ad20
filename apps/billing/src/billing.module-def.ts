import { BILLING_ENTITIES, BILLING_MIGRATIONS } from '@cec/billing-persistence';

/** What the billing app persists; shared by the Nest module and the command-line steps. */
export const BILLING_ORM = { app: 'billing' as const, entities: BILLING_ENTITIES, migrations: BILLING_MIGRATIONS };
