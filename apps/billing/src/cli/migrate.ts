import 'reflect-metadata';
import { migrateApp } from '@cec/platform';
import { BILLING_ORM } from '../billing.module-def';

migrateApp(BILLING_ORM)
  .then((names) => console.log(`billing: ${names.length} migration(s) applied${names.length ? `: ${names.join(', ')}` : ''}`))
  .catch((error: unknown) => {
    console.error(`billing: migration failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
