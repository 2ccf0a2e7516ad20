export * from './subscription.entities';
export * from './account.repository';
export * from './subscription.repository';
export * from './migrations/migration-0001-subscription';
