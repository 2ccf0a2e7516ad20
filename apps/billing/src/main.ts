import 'reflect-metadata';
import { bootstrapApp } from '@cec/platform';
import { BillingAppModule } from './app.module';

void bootstrapApp(BillingAppModule.register(), {
  app: 'billing',
  title: 'CEC billing: billing',
  description: 'Discounts (R5), the monthly billing run (R7.1-R7.3), bills with late-usage adjustments (R6.2), deduction, top-ups and the ledger (R7.4-R7.6).',
}).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
