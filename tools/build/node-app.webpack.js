// The webpack build of a Nest app (the way the Nest CLI bundles one): the app's entry point and
// every CLI step in src/cli, TypeScript through ts-loader (decorator metadata from the tsconfig),
// the workspace libraries (@cec/*, tsconfig paths) bundled in, node_modules and Node's own modules
// left external. Output: dist/apps/<app>/main.js and dist/apps/<app>/<step>.js.
const { readdirSync } = require('node:fs');
const { join } = require('node:path');
const nodeExternals = require('webpack-node-externals');
const { TsconfigPathsPlugin } = require('tsconfig-paths-webpack-plugin');

const root = join(__dirname, '..', '..');

/** @param {string} app the app's directory under apps/ @returns {import('webpack').Configuration} */
function nodeAppConfig(app) {
  const projectRoot = join(root, 'apps', app);
  const tsConfig = join(projectRoot, 'tsconfig.app.json');
  const cliSteps = readdirSync(join(projectRoot, 'src', 'cli'))
    .filter((file) => file.endsWith('.ts') && !/\.(spec|integration-spec)\.ts$/.test(file))
    .map((file) => file.slice(0, -'.ts'.length));
  return {
    // no mode-dependent rewriting: process.env.NODE_ENV stays a run-time setting
    mode: 'none',
    target: 'node20',
    context: projectRoot,
    entry: {
      main: './src/main.ts',
      ...Object.fromEntries(cliSteps.map((step) => [step, `./src/cli/${step}.ts`])),
    },
    output: { path: join(root, 'dist', 'apps', app), filename: '[name].js', library: { type: 'commonjs2' }, clean: true },
    devtool: 'source-map',
    externalsPresets: { node: true },
    externals: [nodeExternals({ modulesDir: join(root, 'node_modules') })],
    resolve: { extensions: ['.ts', '.js'], plugins: [new TsconfigPathsPlugin({ configFile: tsConfig })] },
    module: {
      rules: [
        {
          test: /\.ts$/,
          exclude: /node_modules/,
          loader: 'ts-loader',
          // `npm run typecheck` checks the whole workspace; the build only transpiles
          options: { configFile: tsConfig, transpileOnly: true },
        },
      ],
    },
    optimization: { minimize: false, nodeEnv: false },
    node: { __dirname: false, __filename: false },
  };
}

module.exports = { nodeAppConfig };
