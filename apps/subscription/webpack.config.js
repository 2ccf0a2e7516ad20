// `npx nx build subscription` (or `npm run build`): dist/apps/subscription/main.js and one file per src/cli step.
const { nodeAppConfig } = require('../../tools/build/node-app.webpack');

module.exports = nodeAppConfig('subscription');
