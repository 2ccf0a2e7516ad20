import 'reflect-metadata';
import { bootstrapApp } from '@cec/platform';
import { MeteringAppModule } from './app.module';

void bootstrapApp(MeteringAppModule.register(), {
  app: 'metering',
  title: 'CEC billing: metering',
  description:
    'Usage timelines per subscription (R3.4), usage events with unique ids (R6.1) and their dead letters (R6.3), and the daily quantities of a month in the UTC+8 calendar (R4.1).',
}).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
