// Unit tests of the console: the client's pure logic (API errors, money, periods) and the server's proxy.
module.exports = require('../../jest.preset.js').projectConfig(__dirname, 'unit');
