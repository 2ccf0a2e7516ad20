// Every test runs in the test environment; the billing zone never leans on the host zone, and
// `TZ` is set by the npm scripts (UTC by default; CI also runs under another zone).
require('reflect-metadata');
process.env.NODE_ENV = process.env.NODE_ENV || 'test';
