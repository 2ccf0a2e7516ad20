export * from './billing.entities';
export * from './sql';
export * from './account.repository';
export * from './discount.repository';
export * from './billing-run.repository';
export * from './billing-ledger.repository';
export * from './bill.queries';
export * from './migrations/migration-0001-billing';
