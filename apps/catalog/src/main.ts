import 'reflect-metadata';
import { bootstrapApp } from '@cec/platform';
import { CatalogAppModule } from './app.module';

void bootstrapApp(CatalogAppModule.register(), {
  app: 'catalog',
  title: 'CEC billing: catalog',
  description: 'Products of the contact-center service and their versioned unit prices (R1).',
}).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
