export * from './test-env';
export * from './database';
export * from './nats';
export * from './http';
export * from './route-probe';
export * from './http-security';
export * from './fuzz';
export * from './fault-injection';
