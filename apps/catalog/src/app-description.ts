import type { AppDescription } from '@cec/platform';

/** The catalog app's name and the title and description of its OpenAPI document (main.ts, docs/openapi). */
export const CATALOG_APP_DESCRIPTION: AppDescription = {
  app: 'catalog',
  title: 'CEC billing: catalog',
  description: 'Products of the contact-center service and their versioned unit prices (R1).',
};
