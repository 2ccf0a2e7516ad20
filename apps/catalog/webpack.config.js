// `npx nx build catalog` (or `npm run build`): dist/apps/catalog/main.js and one file per src/cli step.
const { nodeAppConfig } = require('../../tools/build/node-app.webpack');

module.exports = nodeAppConfig('catalog');
