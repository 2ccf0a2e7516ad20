import fc from 'fast-check';
import { findJsonBodyProblem, findPathParamProblem, findQueryProblem, isJsonContentType, MAX_JSON_DEPTH } from './request-bounds';

function nestedArrays(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i += 1) value = [value];
  return value;
}

function nestedObjects(depth: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i += 1) value = { a: value };
  return value;
}

describe('generic request bounds (#8.2, #8.4)', () => {
  it('#8.2 accepts JSON nested up to the limit and names the problem beyond it, without recursion', () => {
    expect(findJsonBodyProblem(nestedArrays(MAX_JSON_DEPTH))).toBeUndefined();
    expect(findJsonBodyProblem(nestedObjects(MAX_JSON_DEPTH))).toBeUndefined();
    expect(findJsonBodyProblem(nestedArrays(MAX_JSON_DEPTH + 1))).toMatch(/nested too deeply/);
    expect(findJsonBodyProblem(nestedObjects(MAX_JSON_DEPTH + 1))).toMatch(/nested too deeply/);
    // far deeper than any call stack would survive with a recursive walk
    expect(findJsonBodyProblem(nestedArrays(200_000))).toMatch(/nested too deeply/);
    expect(findJsonBodyProblem(JSON.parse('['.repeat(5000) + ']'.repeat(5000)))).toMatch(/nested too deeply/);
    expect(findJsonBodyProblem({ events: [{ id: 'a', quantity: 1 }], note: null, flag: true })).toBeUndefined();
  });

  it('#8.2 depth counts containers, not siblings: a wide flat body is fine', () => {
    const wide = { events: Array.from({ length: 5000 }, (_unused, index) => ({ id: `e${index}`, tags: ['a', 'b'] })) };
    expect(findJsonBodyProblem(wide)).toBeUndefined();
  });

  it('#8.2 a NUL character in any string or key is refused, naming where', () => {
    expect(findJsonBodyProblem({ name: 'a\u0000b' })).toBe('name must not contain a NUL character');
    expect(findJsonBodyProblem({ events: [{ id: 'ok' }, { id: '\u0000' }] })).toBe('events[1].id must not contain a NUL character');
    expect(findJsonBodyProblem({ 'a\u0000': 1 })).toMatch(/NUL/);
    expect(findJsonBodyProblem({ a: [[1, 'x\u0000']] })).toBe('a[0][1] must not contain a NUL character');
    expect(findJsonBodyProblem([{ b: { c: '\u0000' } }])).toBe('[0].b.c must not contain a NUL character');
    expect(findJsonBodyProblem('\u0000')).toBe('request body must not contain a NUL character');
    expect(findJsonBodyProblem({ name: 'tab\tand newline\n are for the schemas to judge' })).toBeUndefined();
    // a route that judges NUL per item itself (metering, R6.3) still gets the depth bound
    expect(findJsonBodyProblem({ events: [{ id: 'a\u0000b' }] }, MAX_JSON_DEPTH, true)).toBeUndefined();
    expect(findJsonBodyProblem(nestedArrays(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH, true)).toMatch(/nested too deeply/);
  });

  it('#8.2 property: any JSON value is either accepted or refused with a sentence, never throws', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 40 }), (value) => {
        const problem = findJsonBodyProblem(value);
        expect(problem === undefined || typeof problem === 'string').toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('#8.4 object-, list- and repeated query values are refused naming the parameter', () => {
    expect(findQueryProblem({ accountId: 'acme', period: '2026-01' })).toBeUndefined();
    expect(findQueryProblem({ 'accountId[a]': '1' })).toMatch(/^query parameter accountId must be given once as a plain value/);
    expect(findQueryProblem({ 'period[]': 'x' })).toMatch(/^query parameter period /);
    expect(findQueryProblem({ period: ['a', 'b'] })).toMatch(/^query parameter period /);
    expect(findQueryProblem({ period: { a: '1' } })).toMatch(/^query parameter period /);
    expect(findQueryProblem({ accountId: 'a\u0000b' })).toBe('query parameter accountId must not contain control characters');
    expect(findQueryProblem({ accountId: 'a\u007fb' })).toMatch(/control characters/);
    expect(findQueryProblem(undefined)).toBeUndefined();
  });

  it('#8.2 control characters U+0000-U+001F and U+007F in a path parameter are refused naming it', () => {
    expect(findPathParamProblem({ id: 'acc-1' })).toBeUndefined();
    expect(findPathParamProblem({ id: 'a\u0000b' })).toBe('path parameter id must not contain control characters');
    for (const code of [0x01, 0x0a, 0x1f, 0x7f]) {
      expect(findPathParamProblem({ code: `x${String.fromCharCode(code)}` })).toBe('path parameter code must not contain control characters');
    }
    expect(findPathParamProblem({ id: 'émoji-ok-✓' })).toBeUndefined();
  });

  it('#8.2 only application/json (any case, with parameters) counts as JSON', () => {
    expect(isJsonContentType('application/json')).toBe(true);
    expect(isJsonContentType('Application/JSON; charset=utf-8')).toBe(true);
    expect(isJsonContentType('text/plain')).toBe(false);
    expect(isJsonContentType('application/x-www-form-urlencoded')).toBe(false);
    expect(isJsonContentType('multipart/form-data; boundary=x')).toBe(false);
    expect(isJsonContentType('application/jsonp')).toBe(false);
    expect(isJsonContentType(undefined)).toBe(false);
  });
});
