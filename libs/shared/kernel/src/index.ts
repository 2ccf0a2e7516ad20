export * from './domain-error';
export * from './money';
export * from './rate';
export * from './clock';
export * from './billing-calendar';
export * from './ids';
export * from './remote-error';
export * from './input-schemas';
