// Shared jest settings: SWC transform with decorator metadata, tsconfig paths as module names.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace('/', '\\/')}$`] = path.join(__dirname, target);
}

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true, dynamicImport: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

/** @param {string} dir project root (absolute) @param {'unit'|'integration'} kind */
function projectConfig(dir, kind) {
  const name = path.relative(__dirname, dir);
  return {
    displayName: `${name}${kind === 'integration' ? ' (integration)' : ''}`,
    rootDir: dir,
    testEnvironment: 'node',
    transform: { '^.+\\.ts$': ['@swc/jest', swcOptions] },
    moduleFileExtensions: ['ts', 'js', 'json'],
    moduleNameMapper,
    testMatch: kind === 'integration' ? ['<rootDir>/**/*.integration-spec.ts'] : ['<rootDir>/**/*.spec.ts'],
    setupFiles: [path.join(__dirname, 'tools/jest/setup-env.js')],
    testTimeout: kind === 'integration' ? 60000 : 10000,
    maxWorkers: kind === 'integration' ? 1 : '50%',
  };
}

module.exports = { projectConfig, swcOptions, moduleNameMapper };
