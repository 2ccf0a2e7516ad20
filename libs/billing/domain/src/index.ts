export * from './discount';
export * from './price-book';
export * from './rating';
export * from './adjustment';
export * from './deduction';
export * from './bill-draft';
export * from './bill-input';
export * from './prepaid-guard';
