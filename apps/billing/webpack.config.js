// Compiles the billing app and its CLI steps (src/cli) into dist/apps/billing: one bundle per entry,
// the workspace libs (@cec/*) inlined, node_modules left external. `npm run build` / `npx nx build billing`.
const { join } = require('node:path');
const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');

module.exports = {
  output: { path: join(__dirname, '../../dist/apps/billing'), clean: true },
  devtool: 'source-map',
  plugins: [
    new NxAppWebpackPlugin({
      target: 'node',
      compiler: 'tsc',
      main: './src/main.ts',
      additionalEntryPoints: [{ entryName: 'migrate', entryPath: './src/cli/migrate.ts' }],
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
