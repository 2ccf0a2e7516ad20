import type { AppDescription } from '@cec/platform';

/** The metering app's name and the title and description of its OpenAPI document (main.ts, docs/openapi). */
export const METERING_APP_DESCRIPTION: AppDescription = {
  app: 'metering',
  title: 'CEC billing: metering',
  description:
    'Usage timelines per subscription (R3.4), usage events with unique ids (R6.1) and their dead letters (R6.3), and the daily quantities of a month in the UTC+8 calendar (R4.1).',
};
