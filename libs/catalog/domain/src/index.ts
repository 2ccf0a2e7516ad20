export * from './product';
export * from './price-version';
export * from './sample-catalog';
