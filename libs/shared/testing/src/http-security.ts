import { RawResponse, rawRequest } from './route-probe';

interface OpenApiOperation {
  security?: Array<Record<string, string[]>>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { securitySchemes?: Record<string, { type?: string; scheme?: string; bearerFormat?: string; description?: string }> };
  security?: unknown;
}

/**
 * Reads `/docs-json` and lists what is wrong with its security: the `bearer` scheme must be an
 * http bearer scheme that does not claim to be a JWT; every `/v1` operation must require it and
 * `/health` must not. Returns the problems (empty when right) and the number of operations seen.
 */
export async function openApiSecurityProblems(baseUrl: string): Promise<{ problems: string[]; operations: number }> {
  const response = await rawRequest(baseUrl, { method: 'GET', path: '/docs-json' });
  const document = response.json as OpenApiDocument;
  const problems: string[] = [];
  const scheme = document.components?.securitySchemes?.['bearer'];
  if (!scheme || scheme.type !== 'http' || scheme.scheme !== 'bearer') problems.push('no http bearer scheme named "bearer"');
  if (scheme?.bearerFormat !== undefined || /jwt/i.test(scheme?.description ?? '')) problems.push('the bearer scheme claims to be a JWT');
  let operations = 0;
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      operations += 1;
      const security = JSON.stringify(operation.security ?? []);
      if (path.startsWith('/v1/') || path === '/v1' || path === '/metrics') {
        if (security !== JSON.stringify([{ bearer: [] }])) problems.push(`${method.toUpperCase()} ${path} lists security ${security}`);
      } else if (path === '/health') {
        if (security !== '[]' || document.security !== undefined) problems.push(`${method.toUpperCase()} ${path} lists security ${security}`);
      } else {
        problems.push(`${method.toUpperCase()} ${path} is neither /v1, /metrics nor /health`);
      }
    }
  }
  return { problems, operations };
}

/**
 * The generic input bounds every app applies before its handlers, tried on one POST route with a
 * JSON body, one route with a path parameter and one with a query value (with a valid token, so
 * that only the bounds answer). Each entry is the server's answer.
 */
export async function genericBoundsAnswers(
  baseUrl: string,
  token: string,
  routes: { post: string; withParam?: (id: string) => string; withQuery?: (value: string) => string },
): Promise<Record<string, RawResponse>> {
  const authorization = `Bearer ${token}`;
  const post = (body: string | undefined, contentType: string | undefined): Promise<RawResponse> =>
    rawRequest(baseUrl, {
      method: 'POST',
      path: routes.post,
      headers: { authorization, ...(contentType ? { 'content-type': contentType } : {}) },
      body,
    });
  const get = (path: string): Promise<RawResponse> => rawRequest(baseUrl, { method: 'GET', path, headers: { authorization } });
  const boundary = 'x-boundary-8';
  const answers: Record<string, RawResponse> = {
    deepArray: await post('['.repeat(5000) + ']'.repeat(5000), 'application/json'),
    deepObject: await post('{"a":'.repeat(5000) + '1' + '}'.repeat(5000), 'application/json'),
    nulInBody: await post(JSON.stringify({ name: 'a\u0000b', code: 'x\u0000' }), 'application/json'),
    textPlain: await post('{"name":"x"}', 'text/plain'),
    form: await post('name=x&code=y', 'application/x-www-form-urlencoded'),
    multipart: await post(`--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--${boundary}--\r\n`, `multipart/form-data; boundary=${boundary}`),
    latin1: await post('{"name":"x"}', 'application/json; charset=latin1'),
    noBodyNoType: await post(undefined, undefined),
    unknownPath: await get('/v1/no-such-route'),
    unknownRoot: await get('/nope'),
  };
  if (routes.withParam) {
    answers['nulInPathId'] = await get(routes.withParam('a%00b'));
    answers['controlInPathId'] = await get(routes.withParam('a%1Fb'));
    answers['badPercentInPathId'] = await get(routes.withParam('%E0%A4%A'));
  }
  if (routes.withQuery) {
    answers['nulInQuery'] = await get(routes.withQuery('a%00b'));
    answers['objectQuery'] = await get(routes.withQuery('1').replace('=', '[a]='));
    answers['listQuery'] = await get(routes.withQuery('1').replace('=', '[]='));
    answers['repeatedQuery'] = await get(`${routes.withQuery('1')}&${routes.withQuery('2').split('?')[1]}`);
  }
  return answers;
}
