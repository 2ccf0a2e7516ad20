// Jest global setup runs outside the transform: register SWC so the TypeScript stack code loads.
process.env.SWC_NODE_PROJECT = require('node:path').join(__dirname, '../../tsconfig.json');
require('@swc-node/register');
const { startStack } = require('../../tools/stack/private-stack');
module.exports = () => startStack();
