const fs = require('node:fs');

module.exports = async () => {
  const started = globalThis.__BILLING_TEST_NATS__;
  if (!started) return;
  started.child.kill('SIGTERM');
  await new Promise((resolve) => {
    if (started.child.exitCode !== null) return resolve();
    started.child.once('exit', resolve);
    setTimeout(resolve, 3000);
  });
  fs.rmSync(started.dir, { recursive: true, force: true });
};
