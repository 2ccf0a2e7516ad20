const path = require('node:path');

module.exports = {
  ...require('../../jest.preset.js').projectConfig(__dirname, 'integration'),
  // a private nats-server for this suite (when the binary is there and NATS_URL is not set), so that
  // other apps' suites running at the same time cannot answer billing's request/reply patterns
  globalSetup: path.join(__dirname, 'test-nats.global-setup.js'),
  globalTeardown: path.join(__dirname, 'test-nats.global-teardown.js'),
};
