import { z } from 'zod';
import { billingCalendar } from './billing-calendar';
import { isDomainError } from './domain-error';
import { CLIENT_ID_PATTERN, CLIENT_ID_RULE } from './ids';
import { Money } from './money';
import { Rate } from './rate';

/**
 * The primitive input schemas of the platform (zod), in ONE place: every REST body, query and path
 * parameter of the four apps is built from these, and the domain parsers share their limits and
 * (through the kernel parsers they call) their rules, so an edge schema and a domain rule cannot
 * drift apart. A schema's messages are the part of the sentence after the field; the validation
 * pipe puts the field path in front (`quantity must be a whole number >= 0`, R8.1).
 */

/** #8.5: the largest quantity (agents, channels) a subscription or a usage event may carry. */
export const MAX_QUANTITY = 1_000_000;
/** Ids (client-chosen or server-chosen): 1 to 128 characters. */
export const MAX_ID_LENGTH = 128;
/** Names, labels, features and other free text. */
export const MAX_TEXT_LENGTH = 200;
/** Product codes: 1-63 lowercase letters, digits or dashes (R1.1). */
export const PRODUCT_CODE_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const PRODUCT_CODE_RULE = '1-63 lowercase letters, digits or dashes, starting with a letter or digit';
/** #8.2: C0 controls (NUL included), DEL and C1 controls: refused in every string field. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

const QUANTITY_RULE = 'must be a whole number >= 0';

/** R3.2/#8.5: the problem with a quantity, or null when it is one. Shared by every parser. */
export function quantityProblem(value: unknown): string | null {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) return QUANTITY_RULE;
  if (value > MAX_QUANTITY) return `${QUANTITY_RULE} and at most ${MAX_QUANTITY}`;
  return null;
}

/**
 * A parser that throws DomainError (`<field> <problem>`) as a zod check: its error becomes the
 * issue, the message without the field, the code kept (e.g. UNSUPPORTED_BILLING_MODE). This is how
 * a schema reuses a rule instead of writing it twice.
 */
export function checkedBy(parse: (value: string) => unknown): (ctx: z.core.ParsePayload<string>) => void {
  return (ctx) => {
    try {
      parse(ctx.value);
    } catch (error: unknown) {
      if (!isDomainError(error)) throw error;
      ctx.issues.push({ code: 'custom', input: ctx.value, message: error.message.replace(/^\S*\s?/, ''), params: { code: error.code } });
    }
  };
}

function noControlCharacters(ctx: z.core.ParsePayload<string>): void {
  if (CONTROL_CHARACTERS.test(ctx.value)) {
    ctx.issues.push({ code: 'custom', input: ctx.value, message: 'must not contain control characters (such as NUL)' });
  }
}

export interface StringOptions {
  /** The sentence for a missing or non-string value (and the default for a bad format). */
  requirement?: string;
  max?: number;
}

/** Free text: a string of at most `max` characters without control characters. */
export function textSchema(options: StringOptions = {}) {
  const max = options.max ?? MAX_TEXT_LENGTH;
  return z
    .string({ error: options.requirement ?? 'must be a string' })
    .max(max, { error: `must be at most ${max} characters` })
    .check(noControlCharacters);
}

/** A non-empty (after trimming) string of at most `max` characters, without control characters. */
export function nonEmptyTextSchema(options: StringOptions = {}) {
  const requirement = options.requirement ?? 'must be a non-empty string';
  const max = options.max ?? MAX_TEXT_LENGTH;
  return z
    .string({ error: requirement })
    .refine((value) => value.trim().length > 0, { error: requirement, abort: true })
    .refine((value) => value.trim().length <= max, { error: `must be at most ${max} characters`, abort: true })
    .check(noControlCharacters)
    .meta({ minLength: 1, maxLength: max });
}

/** An id of the platform: 1-128 letters, digits, `.`, `_`, `:`, `-` (client or server chosen). */
export function clientIdSchema(requirement = `must be ${CLIENT_ID_RULE}`) {
  return z.string({ error: requirement }).regex(CLIENT_ID_PATTERN, { error: requirement }).meta({ example: 'acme' });
}

/** A product code (R1.1). */
export function productCodeSchema(requirement = `must be ${PRODUCT_CODE_RULE}`) {
  return z.string({ error: requirement }).regex(PRODUCT_CODE_PATTERN, { error: requirement }).meta({ example: 'basic-cec' });
}

/** R3.2/#8.5: a whole number from 0 to {@link MAX_QUANTITY}; strings, fractions, negatives refused. */
export function quantitySchema() {
  return z
    .number({ error: QUANTITY_RULE })
    .int({ error: QUANTITY_RULE })
    .min(0, { error: QUANTITY_RULE })
    .max(MAX_QUANTITY, { error: `${QUANTITY_RULE} and at most ${MAX_QUANTITY}` })
    .meta({ example: 10 });
}

/** R2.2, #8.2, #8.3: an ISO-8601 instant with an offset within ±14:00, in 1970..9999 (UTC+8). */
export function instantSchema(requirement = 'must be an ISO-8601 instant with an offset, such as 2026-04-16T09:30:00+08:00') {
  return z
    .string({ error: requirement })
    .max(64, { error: requirement })
    .check(checkedBy((value) => billingCalendar.parseInstant(value, 'x')))
    .meta({ format: 'date-time', example: '2026-04-16T09:30:00+08:00' });
}

/** R2.2, #8.2: a calendar date `YYYY-MM-DD` that exists, from 1970-01-01 to 9999-12-31. */
export function dateSchema(requirement = 'must be a calendar date written YYYY-MM-DD') {
  return z
    .string({ error: requirement })
    .max(10, { error: requirement })
    .check(checkedBy((value) => billingCalendar.parseDate(value, 'x')))
    .meta({ format: 'date', example: '2026-04-01' });
}

/** R2.2: a period `YYYY-MM` from 1970-01. */
export function periodSchema(requirement = 'must be a month written YYYY-MM') {
  return z
    .string({ error: requirement })
    .max(7, { error: requirement })
    .check(checkedBy((value) => billingCalendar.parsePeriod(value, 'x')))
    .meta({ example: '2026-04', pattern: '^\\d{4}-\\d{2}$' });
}

/** Money on the wire: a decimal string with at most two decimals (`"250.00"`). */
export function moneySchema(requirement = 'must be a decimal string with at most 2 decimals, such as "100.00"') {
  return z
    .string({ error: requirement })
    .max(24, { error: requirement })
    .check(checkedBy((value) => Money.parse(value, 'x')))
    .meta({ example: '100.00' });
}

/** R5.1: a rate, a decimal string in [0, 1) with at most 4 decimals. */
export function rateSchema(requirement = 'must be a decimal string in [0, 1) with at most 4 decimals, such as "0.15"') {
  return z
    .string({ error: requirement })
    .max(8, { error: requirement })
    .check(checkedBy((value) => Rate.parse(value, 'x')))
    .meta({ example: '0.15' });
}

/** A whole number written in a query string (`?limit=100`), from `min` to `max`. */
export function queryIntegerSchema(min: number, max: number) {
  const requirement = `must be a whole number from ${min} to ${max}`;
  return z
    .string({ error: requirement })
    .regex(/^\d{1,9}$/, { error: requirement })
    .transform(Number)
    .refine((value) => value >= min && value <= max, { error: requirement });
}

/**
 * An optional query parameter: Express hands over an array for `?a=1&a=2` and an object for
 * `?a[b]=1`; only a single string passes (#8.4), then `inner` decides. An empty value is absent.
 */
export function queryParam<T extends z.ZodType<unknown, string>>(inner: T) {
  return z
    .string({ error: 'must be given once, as a plain value (not a list or an object)' })
    .transform((value) => (value === '' ? undefined : value))
    .pipe(inner.optional())
    .optional()
    .meta({ ...inner.meta() });
}

/** A required query parameter (see {@link queryParam}). */
export function requiredQueryParam<T extends z.ZodType<unknown, string>>(inner: T, requirement: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? requirement : 'must be given once, as a plain value (not a list or an object)') })
    .pipe(inner)
    .meta({ ...inner.meta() });
}
