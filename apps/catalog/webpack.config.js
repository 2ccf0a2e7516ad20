// Compiles the catalog app and its CLI steps (src/cli) into dist/apps/catalog: one bundle per entry,
// the workspace libs (@cec/*) inlined, node_modules left external. `npm run build` / `npx nx build catalog`.
const { readdirSync } = require('node:fs');
const { join } = require('node:path');
const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');

const cliSteps = readdirSync(join(__dirname, 'src', 'cli'))
  .filter((file) => file.endsWith('.ts') && !/\.(spec|integration-spec)\.ts$/.test(file))
  .map((file) => file.slice(0, -'.ts'.length));

module.exports = {
  output: { path: join(__dirname, '../../dist/apps/catalog'), clean: true },
  devtool: 'source-map',
  plugins: [
    new NxAppWebpackPlugin({
      target: 'node',
      compiler: 'tsc',
      main: './src/main.ts',
      // every CLI step (src/cli/<step>.ts) becomes dist/apps/catalog/<step>.js
      additionalEntryPoints: cliSteps.map((step) => ({ entryName: step, entryPath: `./src/cli/${step}.ts` })),
      tsConfig: './tsconfig.app.json',
      // `npm run typecheck` checks the whole workspace; the build only transpiles
      skipTypeChecking: true,
      optimization: false,
      outputHashing: 'none',
      sourceMap: true,
      generatePackageJson: false,
    }),
  ],
};
