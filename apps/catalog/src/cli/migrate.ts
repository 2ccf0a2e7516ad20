import 'reflect-metadata';
import { migrateApp } from '@cec/platform';
import { CATALOG_ORM } from '../catalog.module-def';

migrateApp(CATALOG_ORM)
  .then((names) => console.log(`catalog: ${names.length} migration(s) applied${names.length ? `: ${names.join(', ')}` : ''}`))
  .catch((error: unknown) => {
    console.error(`catalog: migration failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
