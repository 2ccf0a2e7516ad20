import type { AppDescription } from '@cec/platform';

/** The billing app's name and the title and description of its OpenAPI document (main.ts, docs/openapi). */
export const BILLING_APP_DESCRIPTION: AppDescription = {
  app: 'billing',
  title: 'CEC billing: billing',
  description: 'Discounts (R5), the monthly billing run (R7.1-R7.3), bills with late-usage adjustments (R6.2), deduction, top-ups and the ledger (R7.4-R7.6).',
};
