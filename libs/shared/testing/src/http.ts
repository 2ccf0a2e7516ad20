import { DynamicModule, INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppDescription, configureApp, keepIdleConnectionsOpen } from '@cec/platform';
import { TEST_OPERATOR_TOKEN } from './test-env';

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

/** A small HTTP client for a running app: JSON in, JSON out, bearer token by default. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | null = TEST_OPERATOR_TOKEN,
  ) {}

  withToken(token: string | null): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  get<T = Record<string, unknown>>(path: string): Promise<ApiResponse<T>> {
    return this.send<T>('GET', path);
  }

  post<T = Record<string, unknown>>(path: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.send<T>('POST', path, body);
  }

  put<T = Record<string, unknown>>(path: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.send<T>('PUT', path, body);
  }

  delete<T = Record<string, unknown>>(path: string): Promise<ApiResponse<T>> {
    return this.send<T>('DELETE', path);
  }

  /** Sends a raw body string (e.g. malformed JSON). */
  raw<T = Record<string, unknown>>(method: string, path: string, body: string): Promise<ApiResponse<T>> {
    return this.send<T>(method, path, body, true);
  }

  private async send<T>(method: string, path: string, body?: unknown, raw = false): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : raw ? (body as string) : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed as T };
  }
}

export interface RunningTestApp {
  app: INestApplication;
  api: ApiClient;
  close(): Promise<void>;
}

/** Boots an app module on a free port with its HTTP and NATS sides, as main.ts would (logs at LOG_LEVEL, tests: error). */
export async function startTestApp(module: DynamicModule, description: AppDescription): Promise<RunningTestApp> {
  const moduleRef = await Test.createTestingModule({ imports: [module] }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, bufferLogs: true });
  await configureApp(app, description);
  await app.listen(0, '127.0.0.1');
  keepIdleConnectionsOpen(app);
  const address = app.getHttpServer().address() as { port: number };
  const api = new ApiClient(`http://127.0.0.1:${address.port}`);
  return { app, api, close: () => app.close() };
}
