// Unit tests of the console: the client's pure logic (API errors, money, periods), its shared components
// (rendered to markup by react-dom/server, so .tsx is compiled with React's automatic runtime) and the server's proxy.
const { projectConfig, swcOptions } = require('../../jest.preset.js');

const base = projectConfig(__dirname, 'unit');
const tsxOptions = {
  ...swcOptions,
  jsc: {
    ...swcOptions.jsc,
    parser: { ...swcOptions.jsc.parser, tsx: true },
    transform: { ...swcOptions.jsc.transform, react: { runtime: 'automatic' } },
  },
};

module.exports = {
  ...base,
  transform: { ...base.transform, '^.+\\.tsx$': ['@swc/jest', tsxOptions] },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
};
