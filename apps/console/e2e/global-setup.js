// Starts a private stack with the console (its own NATS, database and ports: the slot's E2E_* ports
// shifted so it never meets the scenario suite's stack), the way `npm start` starts them.
process.env.SWC_NODE_PROJECT = require('node:path').join(__dirname, '../../../tsconfig.json');
require('@swc-node/register');
const { startStack } = require('../../../tools/stack/private-stack');
const { consoleStackOptions } = require('./console-stack');

module.exports = async () => {
  const options = consoleStackOptions();
  const info = await startStack(options);
  process.env.CONSOLE_E2E_STACK = JSON.stringify({ ...info, consolePort: options.consolePort });
  // the stack says it is up once the apps are; the console must be too (it is started before that line)
  const health = await fetch(`http://127.0.0.1:${options.consolePort}/health`).catch((error) => error);
  if (!(health instanceof Response) || health.status !== 200) {
    throw new Error(`the console is not up on port ${options.consolePort}; run again with STACK_VERBOSE=1 to see why`);
  }
};
