import 'reflect-metadata';
import { migrateApp } from '@cec/platform';
import { SUBSCRIPTION_ORM } from '../subscription.module-def';

migrateApp(SUBSCRIPTION_ORM)
  .then((names) => console.log(`subscription: ${names.length} migration(s) applied${names.length ? `: ${names.join(', ')}` : ''}`))
  .catch((error: unknown) => {
    console.error(`subscription: migration failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
