import { join } from 'node:path';
import { consoleSettings, startConsoleServer } from './console-server';

// The console's server entry (built to dist/apps/console/server/main.js; `npm start` runs it).
const settings = consoleSettings(process.env, process.env['CONSOLE_CLIENT_DIR'] || join(__dirname, '..', 'client'));

startConsoleServer(settings).then(
  (server) => {
    process.stdout.write(`console listening on http://${settings.host}:${settings.port}\n`);
    const stop = (): void => {
      server.close(() => process.exit(0));
      server.closeAllConnections();
      setTimeout(() => process.exit(0), 2000).unref();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  },
  (error: unknown) => {
    process.stderr.write(
      `console: could not listen on ${settings.host}:${settings.port}: ` +
        `${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
