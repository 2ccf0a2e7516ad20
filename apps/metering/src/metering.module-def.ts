import { METERING_ENTITIES, METERING_MIGRATIONS } from '@cec/metering-persistence';

/** What the metering app persists; shared by the Nest module and the command-line steps. */
export const METERING_ORM = { app: 'metering' as const, entities: METERING_ENTITIES, migrations: METERING_MIGRATIONS };
