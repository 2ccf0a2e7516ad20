export * from './catalog.entities';
export * from './catalog.repository';
export * from './migrations/migration-0001-catalog';
