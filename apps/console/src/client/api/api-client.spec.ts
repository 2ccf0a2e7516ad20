import { ApiClient, ApiError, errorFromResponse, FetchLike, queryString } from './api-client';

interface Call {
  url: string;
  init: RequestInit;
}

function fakeFetch(answer: () => Response | Promise<Response>): { fetch: FetchLike; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      calls.push({ url, init });
      return answer();
    },
  };
}

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('#12 console API client', () => {
  it('sends the token as a Bearer header only, through the proxy path of the app', async () => {
    const { fetch, calls } = fakeFetch(() => json(200, [{ id: 'acme' }]));
    const client = new ApiClient({ token: 'secret-token-0123456789', fetch });
    await expect(client.get('subscription', '/v1/accounts?search=ac')).resolves.toEqual([{ id: 'acme' }]);
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('/api/subscription/v1/accounts?search=ac');
    expect(calls[0].url).not.toContain('secret-token');
    expect((calls[0].init.headers as Record<string, string>)['authorization']).toBe('Bearer secret-token-0123456789');
    expect(calls[0].init.credentials).toBe('omit');
  });

  it('posts JSON bodies', async () => {
    const { fetch, calls } = fakeFetch(() => json(201, { balance: '30.00' }));
    await new ApiClient({ token: 't', fetch }).post('billing', '/v1/accounts/acme/top-ups', {
      amount: '30.00',
      reference: 'r1',
    });
    expect(calls[0].init.method).toBe('POST');
    expect(calls[0].init.body).toBe('{"amount":"30.00","reference":"r1"}');
    expect((calls[0].init.headers as Record<string, string>)['content-type']).toBe('application/json');
  });

  it('R8.1 maps the API\'s {statusCode, code, message} to an ApiError shown as "CODE: message"', async () => {
    const { fetch } = fakeFetch(() =>
      json(409, { statusCode: 409, code: 'PERIOD_NOT_ENDED', message: 'period: 2099-01 has not ended' }),
    );
    const error = await new ApiClient({ token: 't', fetch })
      .post('billing', '/v1/billing-runs', { period: '2099-01' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'PERIOD_NOT_ENDED', message: 'period: 2099-01 has not ended' });
    expect((error as ApiError).describe()).toBe('PERIOD_NOT_ENDED: period: 2099-01 has not ended');
  });

  it("maps a body that is not the API's error shape to HTTP_<status> with its text", async () => {
    await expect(
      errorFromResponse(new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' })),
    ).resolves.toMatchObject({
      status: 502,
      code: 'HTTP_502',
      message: '<html>Bad Gateway</html>',
    });
    await expect(
      errorFromResponse(new Response('', { status: 500, statusText: 'Internal Server Error' })),
    ).resolves.toMatchObject({
      code: 'HTTP_500',
      message: 'Internal Server Error',
    });
    await expect(errorFromResponse(json(400, { statusCode: 400, message: 'no code' }))).resolves.toMatchObject({
      code: 'HTTP_400',
    });
  });

  it('maps a failed fetch to NETWORK_ERROR', async () => {
    const client = new ApiClient({ token: 't', fetch: async () => Promise.reject(new TypeError('Failed to fetch')) });
    await expect(client.get('billing', '/v1/bills')).rejects.toMatchObject({
      status: 0,
      code: 'NETWORK_ERROR',
      message: expect.stringContaining('Failed to fetch'),
    });
  });

  it("signs out on a 401 (wrong or revoked token) and still rejects with the API's error", async () => {
    const onUnauthorized = jest.fn();
    const { fetch } = fakeFetch(() =>
      json(401, { statusCode: 401, code: 'UNAUTHORIZED', message: 'missing or unknown bearer token' }),
    );
    await expect(
      new ApiClient({ token: 'bad', fetch, onUnauthorized }).get('catalog', '/v1/products'),
    ).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('refuses a 2xx body that is not JSON rather than returning garbage', async () => {
    const { fetch } = fakeFetch(() => new Response('not json', { status: 200 }));
    await expect(new ApiClient({ token: 't', fetch }).get('billing', '/v1/bills')).rejects.toMatchObject({
      code: 'INVALID_RESPONSE',
    });
  });

  it('builds query strings from the filled-in values only', () => {
    expect(queryString({ search: 'acme co', limit: 20, after: undefined, period: '' })).toBe(
      '?search=acme+co&limit=20',
    );
    expect(queryString({ a: undefined, b: null })).toBe('');
  });
});
