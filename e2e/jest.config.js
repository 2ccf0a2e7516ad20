// Scenario suite: one file per billing case, driving the four running apps through REST and NATS
// only. The global setup starts a private stack (own NATS server, own database, own ports).
const path = require('node:path');
const { swcOptions, moduleNameMapper } = require('../jest.preset.js');

module.exports = {
  displayName: 'e2e scenarios',
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', swcOptions] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testMatch: ['<rootDir>/scenarios/**/*.e2e-spec.ts'],
  globalSetup: path.join(__dirname, 'support/global-setup.js'),
  globalTeardown: path.join(__dirname, 'support/global-teardown.js'),
  setupFiles: [path.join(__dirname, '../tools/jest/setup-env.js')],
  testTimeout: 120000,
  maxWorkers: 1,
};
