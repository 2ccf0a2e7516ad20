/** The four apps behind the console's proxy (`/api/<app>/…`). */
export type AppName = 'catalog' | 'subscription' | 'metering' | 'billing';

/** An API error as the apps answer it: `{statusCode, code, message}`; transport failures get a code of their own. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** `CODE: message`, as the console shows it. */
  describe(): string {
    return `${this.code}: ${this.message}`;
  }
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** The operator token: sent as `Authorization: Bearer …`, never in a URL. */
  token: string;
  fetch?: FetchLike;
  /** Called on a 401 (the token is wrong or was revoked): the console signs out. */
  onUnauthorized?: () => void;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Maps an answer that is not 2xx to an ApiError: the API's own `{code, message}` when the body is
 * one, otherwise `HTTP_<status>` with the text of the body (or the status text).
 */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (isRecord(parsed) && typeof parsed['code'] === 'string') {
    const message =
      typeof parsed['message'] === 'string'
        ? parsed['message']
        : Array.isArray(parsed['message'])
          ? parsed['message'].join('; ')
          : '';
    return new ApiError(response.status, parsed['code'], message || response.statusText || `HTTP ${response.status}`);
  }
  const snippet = text.trim().slice(0, 200);
  return new ApiError(
    response.status,
    `HTTP_${response.status}`,
    snippet || response.statusText || `HTTP ${response.status}`,
  );
}

/** The error of a request that got no answer at all (the console's server is down, the network failed). */
export function networkError(error: unknown): ApiError {
  return new ApiError(
    0,
    'NETWORK_ERROR',
    `no answer from the console server (${error instanceof Error ? error.message : String(error)})`,
  );
}

/** Builds a query string from defined, non-empty values (`?a=1&b=x`), or '' when there are none. */
export function queryString(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && String(value) !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * The console's client of the REST API: the same endpoints curl uses, through the console's
 * proxy, with the operator token in the Authorization header only.
 */
export class ApiClient {
  private readonly fetchImpl: FetchLike;

  constructor(private readonly options: ApiClientOptions) {
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  get<T>(app: AppName, path: string): Promise<T> {
    return this.json<T>('GET', app, path);
  }

  post<T>(app: AppName, path: string, body: unknown = {}): Promise<T> {
    return this.json<T>('POST', app, path, body);
  }

  put<T>(app: AppName, path: string, body: unknown): Promise<T> {
    return this.json<T>('PUT', app, path, body);
  }

  delete<T>(app: AppName, path: string): Promise<T> {
    return this.json<T>('DELETE', app, path);
  }

  /** A non-JSON resource (a bill document): the raw response once it is 2xx. */
  async raw(app: AppName, path: string, accept: string): Promise<Response> {
    const response = await this.send('GET', app, path, undefined, accept);
    if (!response.ok) throw await this.fail(response);
    return response;
  }

  private async json<T>(method: string, app: AppName, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, app, path, body, 'application/json');
    if (!response.ok) throw await this.fail(response);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ApiError(
        response.status,
        'INVALID_RESPONSE',
        `${app} answered ${response.status} with a body that is not JSON`,
      );
    }
  }

  private async send(method: string, app: AppName, path: string, body: unknown, accept: string): Promise<Response> {
    if (!path.startsWith('/')) throw new Error(`path must start with "/": ${path}`);
    const headers: Record<string, string> = { accept, authorization: `Bearer ${this.options.token}` };
    const init: RequestInit = { method, headers, cache: 'no-store', credentials: 'omit' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    try {
      return await this.fetchImpl(`/api/${app}${path}`, init);
    } catch (error) {
      throw networkError(error);
    }
  }

  private async fail(response: Response): Promise<ApiError> {
    const error = await errorFromResponse(response);
    if (error.status === 401) this.options.onUnauthorized?.();
    return error;
  }
}

/** A path segment for an id typed or read back (ids are safe; this keeps a stray `/` from leaving the route). */
export function segment(id: string): string {
  return encodeURIComponent(id);
}
