import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The console's client: built into dist/apps/console/client (served by the console's server).
// `npx vite --config apps/console/vite.config.mts` serves it in development, proxying /api/<app>
// to the apps like the server does.
const root = fileURLToPath(new URL('.', import.meta.url));
const port = (name: string, fallback: number): string => process.env[name] || String(fallback);

export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../../dist/apps/console/client', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    port: Number(process.env['CONSOLE_PORT'] || 3000),
    proxy: Object.fromEntries(
      (
        [
          ['catalog', 3001],
          ['subscription', 3002],
          ['metering', 3003],
          ['billing', 3004],
        ] as const
      ).map(([app, fallback]) => [
        `/api/${app}`,
        {
          target: `http://127.0.0.1:${port(`${app.toUpperCase()}_PORT`, fallback)}`,
          rewrite: (path: string) => path.slice(`/api/${app}`.length),
        },
      ]),
    ),
  },
});
