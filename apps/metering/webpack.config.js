// `npx nx build metering` (or `npm run build`): dist/apps/metering/main.js and one file per src/cli step.
const { nodeAppConfig } = require('../../tools/build/node-app.webpack');

module.exports = nodeAppConfig('metering');
