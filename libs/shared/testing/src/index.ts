export * from './test-env';
export * from './database';
export * from './nats';
export * from './http';
export * from './fault-injection';
