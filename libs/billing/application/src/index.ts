export * from './billing.ports';
export * from './concurrency';
export * from './account.use-cases';
export * from './discount.use-cases';
export * from './bill.use-cases';
export * from './bill-accounts.use-case';
export * from './billing-run.use-cases';
