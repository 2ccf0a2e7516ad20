import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import express, { Express, NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { createProxyMiddleware } from 'http-proxy-middleware';

/** The four apps the console talks to, in the order `npm start` runs them. */
export const CONSOLE_APPS = ['catalog', 'subscription', 'metering', 'billing'] as const;
export type ConsoleApp = (typeof CONSOLE_APPS)[number];

export const DEFAULT_CONSOLE_PORT = 3000;
const DEFAULT_APP_PORTS: Record<ConsoleApp, number> = {
  catalog: 3001,
  subscription: 3002,
  metering: 3003,
  billing: 3004,
};

export interface ConsoleServerOptions {
  /** Where the built client is (index.html and assets/). */
  clientDir: string;
  /** The apps' HTTP addresses, e.g. `http://127.0.0.1:3004`. */
  upstreams: Record<ConsoleApp, string>;
}

export interface ConsoleSettings extends ConsoleServerOptions {
  port: number;
  host: string;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535)
    throw new Error(`${name} must be a port number from 1 to 65535 (got "${raw}")`);
  return value;
}

/** Reads CONSOLE_PORT, CONSOLE_HOST and CATALOG_PORT … BILLING_PORT (the apps' ports, as `npm start` sets them). */
export function consoleSettings(env: NodeJS.ProcessEnv, clientDir: string): ConsoleSettings {
  const upstreams = Object.fromEntries(
    CONSOLE_APPS.map((app) => [
      app,
      `http://127.0.0.1:${port(env, `${app.toUpperCase()}_PORT`, DEFAULT_APP_PORTS[app])}`,
    ]),
  ) as Record<ConsoleApp, string>;
  return {
    port: port(env, 'CONSOLE_PORT', DEFAULT_CONSOLE_PORT),
    host: env['CONSOLE_HOST'] || '127.0.0.1',
    clientDir,
    upstreams,
  };
}

function errorBody(
  statusCode: number,
  code: string,
  message: string,
): { statusCode: number; code: string; message: string } {
  return { statusCode, code, message };
}

/**
 * The console's server: the built client (any other GET path answers index.html, the client
 * routes it) and a reverse proxy `/api/<app>/…` → `<app>/…`, so the browser talks to one origin.
 * The proxy passes requests through unchanged (the Authorization header included) and logs
 * nothing: no URL, no header, no body ever reaches a log.
 */
export function createConsoleApp(options: ConsoleServerOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  for (const name of CONSOLE_APPS) {
    app.use(
      `/api/${name}`,
      createProxyMiddleware<Request, Response>({
        target: options.upstreams[name],
        changeOrigin: false,
        xfwd: false,
        proxyTimeout: 120_000,
        on: {
          error: (_error, _req, res) => {
            // res is a ServerResponse here (a socket only for upgrades, which the console never makes)
            if ('headersSent' in res && !res.headersSent) {
              res.writeHead(502, { 'content-type': 'application/json; charset=utf-8' });
              res.end(
                JSON.stringify(
                  errorBody(502, 'APP_UNAVAILABLE', `the ${name} app did not answer at ${options.upstreams[name]}`),
                ),
              );
            } else {
              res.destroy();
            }
          },
        },
      }),
    );
  }
  app.use('/api', (_req, res) => {
    res
      .status(404)
      .json(errorBody(404, 'NOT_FOUND', `no such app: the console proxies /api/${CONSOLE_APPS.join('|')}/…`));
  });
  const index = join(options.clientDir, 'index.html');
  app.use(express.static(options.clientDir, { index: false, maxAge: '1h', setHeaders: noCacheForIndex }));
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (!existsSync(index)) {
      res
        .status(503)
        .json(
          errorBody(503, 'CONSOLE_NOT_BUILT', `the console is not built (no ${index}): run npx nx run console:build`),
        );
      return;
    }
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
  app.use((_req, res) => {
    res.status(404).json(errorBody(404, 'NOT_FOUND', 'not found'));
  });
  return app;
}

function noCacheForIndex(res: Response, path: string): void {
  if (path.endsWith('index.html')) res.setHeader('cache-control', 'no-cache');
}

/** Starts the console server; resolves once it listens. */
export function startConsoleServer(settings: ConsoleSettings): Promise<Server> {
  const app = createConsoleApp(settings);
  return new Promise((resolve, reject) => {
    const server = app.listen(settings.port, settings.host, (error?: Error) =>
      error ? reject(error) : resolve(server),
    );
    server.keepAliveTimeout = 65_000;
  });
}
