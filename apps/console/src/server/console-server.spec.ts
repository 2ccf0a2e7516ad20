import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleApp, consoleSettings, createConsoleApp } from './console-server';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('#12 console server: one origin for the browser, /api/<app>/… proxied to the app', () => {
  const seen: Seen[] = [];
  const upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(req.url === '/v1/missing' ? 404 : 200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          req.url === '/v1/missing'
            ? { statusCode: 404, code: 'BILL_NOT_FOUND', message: 'bill "x" does not exist' }
            : { ok: true },
        ),
      );
    });
  });
  const consoleServer = createServer();
  let base = '';
  let clientDir = '';
  const writes: string[] = [];
  const realWrite = process.stdout.write.bind(process.stdout);
  const realError = process.stderr.write.bind(process.stderr);

  beforeAll(async () => {
    const upstreamPort = await listen(upstream);
    clientDir = mkdtempSync(join(tmpdir(), 'console-client-'));
    writeFileSync(join(clientDir, 'index.html'), '<!doctype html><div id="root"></div>');
    // catalog points at a port nobody listens on: the proxy answers 502 APP_UNAVAILABLE
    const closed = createServer();
    const closedPort = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const upstreams: Record<ConsoleApp, string> = {
      catalog: `http://127.0.0.1:${closedPort}`,
      subscription: `http://127.0.0.1:${upstreamPort}`,
      metering: `http://127.0.0.1:${upstreamPort}`,
      billing: `http://127.0.0.1:${upstreamPort}`,
    };
    consoleServer.on('request', createConsoleApp({ clientDir, upstreams }));
    base = `http://127.0.0.1:${await listen(consoleServer)}`;
    // anything the server writes to stdout or stderr is captured: a token must never be in it
    process.stdout.write = ((chunk: string | Uint8Array) =>
      writes.push(String(chunk)) > -1) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string | Uint8Array) =>
      writes.push(String(chunk)) > -1) as typeof process.stderr.write;
  });

  afterAll(async () => {
    process.stdout.write = realWrite;
    process.stderr.write = realError;
    await new Promise((resolve) => consoleServer.close(resolve));
    await new Promise((resolve) => upstream.close(resolve));
    rmSync(clientDir, { recursive: true, force: true });
  });

  it('strips /api/<app> and passes method, query, body and the Authorization header through unchanged', async () => {
    const response = await fetch(`${base}/api/billing/v1/accounts/acme/top-ups?x=1`, {
      method: 'POST',
      headers: { authorization: 'Bearer console-secret-token-42', 'content-type': 'application/json' },
      body: JSON.stringify({ amount: '10.00', reference: 'r1' }),
    });
    expect(response.status).toBe(200);
    const last = seen[seen.length - 1];
    expect(last).toMatchObject({
      method: 'POST',
      url: '/v1/accounts/acme/top-ups?x=1',
      body: '{"amount":"10.00","reference":"r1"}',
    });
    expect(last.headers['authorization']).toBe('Bearer console-secret-token-42');
    expect(last.headers['x-forwarded-for']).toBeUndefined();
  });

  it("passes the API's error answers through as they are", async () => {
    const response = await fetch(`${base}/api/subscription/v1/missing`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      statusCode: 404,
      code: 'BILL_NOT_FOUND',
      message: 'bill "x" does not exist',
    });
  });

  it('answers 502 APP_UNAVAILABLE (JSON, naming the app) when an app does not answer', async () => {
    const response = await fetch(`${base}/api/catalog/v1/products`, {
      headers: { authorization: 'Bearer console-secret-token-42' },
    });
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({
      statusCode: 502,
      code: 'APP_UNAVAILABLE',
      message: expect.stringContaining('catalog'),
    });
  });

  it('answers 404 JSON for an app it does not know, without proxying', async () => {
    const before = seen.length;
    const response = await fetch(`${base}/api/payments/v1/x`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'NOT_FOUND' });
    expect(seen.length).toBe(before);
  });

  it('serves the client for every other GET path (the client routes it), with helmet headers', async () => {
    for (const path of ['/', '/accounts/acme', '/bills/b-1']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<div id="root">');
      expect(response.headers.get('x-powered-by')).toBeNull();
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    }
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it('logs nothing about requests: the token never reaches stdout or stderr', () => {
    expect(writes.join('')).not.toContain('console-secret-token-42');
    expect(writes.join('')).not.toMatch(/authorization/i);
  });

  it("reads its port and the apps' ports from the environment like npm start sets them", () => {
    expect(consoleSettings({ CONSOLE_PORT: '18405', BILLING_PORT: '18404' }, '/c')).toMatchObject({
      port: 18405,
      host: '127.0.0.1',
      upstreams: { billing: 'http://127.0.0.1:18404', catalog: 'http://127.0.0.1:3001' },
    });
    expect(consoleSettings({}, '/c').port).toBe(3000);
    expect(() => consoleSettings({ CONSOLE_PORT: 'x' }, '/c')).toThrow(/CONSOLE_PORT/);
  });
});
