// #12 bare machine: `npm start` where no PostgreSQL and no NATS listen (free ports picked at run
// time, data in a temporary CEC_DATA_DIR). No global setup: the test starts `npm start` itself.
const path = require('node:path');
const { swcOptions, moduleNameMapper } = require('../jest.preset.js');

module.exports = {
  displayName: 'e2e bare machine',
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', swcOptions] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testMatch: ['<rootDir>/bare-machine/**/*.e2e-spec.ts'],
  setupFiles: [path.join(__dirname, '../tools/jest/setup-env.js')],
  testTimeout: 300000,
  maxWorkers: 1,
};
