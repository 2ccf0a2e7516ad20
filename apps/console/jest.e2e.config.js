// Browser tests of the console (issue 12): Playwright (playwright-core) driving Debian's Chromium
// against a private stack started the way `npm start` starts it, console included.
const path = require('node:path');
const { swcOptions, moduleNameMapper } = require('../../jest.preset.js');

module.exports = {
  displayName: 'console (browser)',
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', swcOptions] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testMatch: ['<rootDir>/e2e/**/*.e2e-spec.ts'],
  globalSetup: path.join(__dirname, 'e2e/global-setup.js'),
  globalTeardown: path.join(__dirname, 'e2e/global-teardown.js'),
  setupFiles: [path.join(__dirname, '../../tools/jest/setup-env.js')],
  testTimeout: 90000,
  maxWorkers: 1,
};
