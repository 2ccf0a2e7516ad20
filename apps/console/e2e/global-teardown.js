process.env.SWC_NODE_PROJECT = require('node:path').join(__dirname, '../../../tsconfig.json');
require('@swc-node/register');
module.exports = require('../../../tools/stack/private-stack').stopStack;
