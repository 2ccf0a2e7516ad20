import 'reflect-metadata';
import { bootstrapApp } from '@cec/platform';
import { METERING_APP_DESCRIPTION } from './app-description';
import { MeteringAppModule } from './app.module';

void bootstrapApp(MeteringAppModule.register(), METERING_APP_DESCRIPTION).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
