export * from './metering.entities';
export * from './metering.repository';
export * from './migrations/migration-0001-metering';
export * from './migrations/migration-0002-parked-usage';
export * from './migrations/migration-0003-usage-changed-outbox';
