import 'reflect-metadata';
import { migrateApp } from '@cec/platform';
import { METERING_ORM } from '../metering.module-def';

migrateApp(METERING_ORM)
  .then((names) => console.log(`metering: ${names.length} migration(s) applied${names.length ? `: ${names.join(', ')}` : ''}`))
  .catch((error: unknown) => {
    console.error(`metering: migration failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
