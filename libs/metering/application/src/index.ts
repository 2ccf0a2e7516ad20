export * from './metering.ports';
export * from './ingest-usage-events.use-case';
export * from './report-usage-events.use-case';
export * from './record-subscription-changes.use-case';
export * from './get-daily-usage.use-case';
export * from './get-monthly-usage.use-case';
export * from './get-usage-revisions.use-case';
export * from './list-rejected-usage-events.use-case';
