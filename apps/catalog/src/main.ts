import 'reflect-metadata';
import { bootstrapApp } from '@cec/platform';
import { CATALOG_APP_DESCRIPTION } from './app-description';
import { CatalogAppModule } from './app.module';

void bootstrapApp(CatalogAppModule.register(), CATALOG_APP_DESCRIPTION).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
