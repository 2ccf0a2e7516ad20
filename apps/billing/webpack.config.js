// `npx nx build billing` (or `npm run build`): dist/apps/billing/main.js and one file per src/cli step.
const { nodeAppConfig } = require('../../tools/build/node-app.webpack');

module.exports = nodeAppConfig('billing');
