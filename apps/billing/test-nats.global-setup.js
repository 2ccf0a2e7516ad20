// Starts a private nats-server (JetStream on) for billing's integration tests and points NATS_URL at
// it. Skipped when NATS_URL is set or no nats-server binary exists (then the shared one is used).
const { spawn, execSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

function findBinary() {
  for (const candidate of ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server']) {
    if (fs.existsSync(candidate)) return candidate;
  }
  try {
    return execSync('command -v nats-server', { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

module.exports = async () => {
  if (process.env.NATS_URL) return;
  const binary = findBinary();
  if (!binary) return;
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'billing-test-nats-'));
  const child = spawn(binary, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore', detached: false });
  for (let attempt = 0; attempt < 100 && !(await portOpen(port)); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  process.env.NATS_URL = `nats://127.0.0.1:${port}`;
  globalThis.__BILLING_TEST_NATS__ = { child, dir };
};
