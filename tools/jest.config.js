// The repository's own tooling (tools/docs: the generated docs and their currency checks).
module.exports = {
  ...require('../jest.preset.js').projectConfig(__dirname, 'unit'),
  testMatch: ['<rootDir>/docs/**/*.spec.ts'],
};
