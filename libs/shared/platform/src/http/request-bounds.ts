/**
 * Generic bounds on what reaches a route handler, whatever the route: checked by
 * {@link RequestBoundsInterceptor} after the token guard and before any validation pipe. Per-field
 * rules (lengths, formats, ranges) belong to each route's schema; these are the ones no route may
 * forget. Pure functions, so they are unit-tested on their own.
 */

/** Deepest nesting of arrays/objects a JSON body may have (`[]` is depth 1). */
export const MAX_JSON_DEPTH = 32;

/** The JSON body limit of every app (a metering batch of 1000 events is about 150 kB). */
export const JSON_BODY_LIMIT = '1mb';

/** True when `value` holds a C0 control character (U+0000 to U+001F) or DEL (U+007F). */
export function hasControlCharacter(value: string): boolean {
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    if (code <= 0x1f || code === 0x7f) return true;
  }
  return false;
}

/**
 * Walks a parsed JSON value without recursion (an explicit stack, so no input can overflow the call
 * stack) and returns the first problem: nesting deeper than `maxDepth`, or (unless `allowNul`) a NUL
 * character in a string or a key (PostgreSQL text cannot hold one). `undefined` when it is fine.
 */
export function findJsonBodyProblem(value: unknown, maxDepth: number = MAX_JSON_DEPTH, allowNul = false): string | undefined {
  // the path of a value is built only for the message of a problem found (#11: a metering batch
  // has thousands of values, and building every one's path was a leading cost of the route)
  const stack: WalkItem[] = [{ value, depth: 0, parent: null, segment: '' }];
  while (stack.length > 0) {
    const item = stack.pop() as WalkItem;
    const current = item.value;
    if (typeof current === 'string') {
      if (!allowNul && current.includes('\u0000')) return `${pathOf(item) || 'request body'} must not contain a NUL character`;
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    const depth = item.depth + 1;
    if (depth > maxDepth) return `request body is nested too deeply (more than ${maxDepth} levels)`;
    if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index -= 1) {
        stack.push({ value: current[index], depth, parent: item, segment: index });
      }
      continue;
    }
    for (const key in current) {
      if (!Object.prototype.hasOwnProperty.call(current, key)) continue;
      if (!allowNul && key.includes('\u0000')) return `request body has a field name with a NUL character`;
      stack.push({ value: (current as Record<string, unknown>)[key], depth, parent: item, segment: key });
    }
  }
  return undefined;
}

/** A value met by {@link findJsonBodyProblem}: its parent and its index or key there. */
interface WalkItem {
  value: unknown;
  depth: number;
  parent: WalkItem | null;
  segment: string | number;
}

/** `events[3].id`: the path of a walked value, '' for the body itself. */
function pathOf(item: WalkItem): string {
  const segments: Array<string | number> = [];
  for (let at: WalkItem | null = item; at && at.parent; at = at.parent) segments.push(at.segment);
  let path = '';
  for (let index = segments.length - 1; index >= 0; index -= 1) {
    const segment = segments[index];
    path = typeof segment === 'number' ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment;
  }
  return path;
}

/** The name a client meant: `accountId[a]` and `period[]` name `accountId` and `period`. */
function baseName(key: string): string {
  const bracket = key.indexOf('[');
  return bracket > 0 ? key.slice(0, bracket) : key;
}

/**
 * Query values must be single plain strings: no object or list shapes (`accountId[a]=1`,
 * `period[]=x`, `period=a&period=b`) and no control characters. Returns the first problem.
 */
export function findQueryProblem(query: Record<string, unknown> | undefined): string | undefined {
  if (!query) return undefined;
  for (const [key, value] of Object.entries(query)) {
    const name = baseName(key);
    if (key.includes('[') || key.includes(']') || typeof value !== 'string') {
      return `query parameter ${name} must be given once as a plain value, not as an object or a list`;
    }
    if (hasControlCharacter(key)) return 'a query parameter name must not contain control characters';
    if (hasControlCharacter(value)) return `query parameter ${name} must not contain control characters`;
  }
  return undefined;
}

/** Path parameters (already percent-decoded by the router) must not carry control characters. */
export function findPathParamProblem(params: Record<string, unknown> | undefined): string | undefined {
  if (!params) return undefined;
  for (const [name, value] of Object.entries(params)) {
    if (typeof value === 'string' && hasControlCharacter(value)) {
      return `path parameter ${name} must not contain control characters`;
    }
  }
  return undefined;
}

/** True for `application/json` with or without parameters (`; charset=utf-8`), any letter case. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  return header.split(';')[0].trim().toLowerCase() === 'application/json';
}
