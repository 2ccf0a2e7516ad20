import fc from 'fast-check';
import { z } from 'zod';
import { billingCalendar } from './billing-calendar';
import { DomainError } from './domain-error';
import { clientIdSchema, dateSchema, instantSchema, MAX_QUANTITY, nonEmptyTextSchema, quantityProblem, quantitySchema, queryParam, periodSchema } from './input-schemas';

const firstMessage = (schema: z.ZodType, value: unknown): string | undefined => {
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error.issues[0]?.message;
};

describe('input schemas: one definition for the edge and the domain (issue #8)', () => {
  it('#8.3 an offset beyond ±14:00 is refused by the calendar, so by every path (REST schema, NATS message)', () => {
    for (const bad of ['2026-01-01T00:00:00+25:00', '2026-01-01T00:00:00-14:01', '2026-01-01T00:00:00+1401', '2026-01-01T00:00:00+05:60']) {
      expect(() => billingCalendar.parseInstant(bad, 'enabledAt')).toThrow(/^enabledAt must have an offset from -14:00 to \+14:00$/);
      expect(firstMessage(instantSchema(), bad)).toBe('must have an offset from -14:00 to +14:00');
    }
    for (const good of ['2026-01-01T00:00:00+14:00', '2026-01-01T00:00:00-14:00', '2026-01-01T00:00:00+0545']) {
      expect(billingCalendar.parseInstant(good).isValid).toBe(true);
      expect(firstMessage(instantSchema(), good)).toBeUndefined();
    }
  });

  it('#8.2 instants and dates outside 1970..9999 (UTC+8) are refused, not handed to the database', () => {
    for (const bad of ['0001-01-01T00:00:00+08:00', '0000-01-01T00:00:00Z', '1969-12-31T15:59:59Z', '9999-12-31T16:00:00Z']) {
      expect(() => billingCalendar.parseInstant(bad, 'at')).toThrow(DomainError);
      expect(firstMessage(instantSchema(), bad)).toMatch(/^must be an instant from 1970-01-01 to 9999-12-31/);
    }
    expect(billingCalendar.parseInstant('1969-12-31T16:00:00Z').toISO()).toBe('1969-12-31T16:00:00.000Z');
    for (const bad of ['0000-01-01', '0001-01-01', '1969-12-31']) {
      expect(() => billingCalendar.parseDate(bad, 'effectiveFrom')).toThrow(/^effectiveFrom must be a calendar date from 1970-01-01/);
    }
    expect(firstMessage(dateSchema(), '99999-01-01')).toBe('must be a calendar date written YYYY-MM-DD');
  });

  it('#8.5 one quantity limit: the schema and the domain rule agree on every number', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -10, max: MAX_QUANTITY + 10 }), fc.double(), fc.constantFrom(MAX_QUANTITY, MAX_QUANTITY + 1, 2 ** 53 + 2)), (value) => {
        expect(firstMessage(quantitySchema(), value) ?? null).toBe(quantityProblem(value));
      }),
    );
    expect(quantityProblem(MAX_QUANTITY)).toBeNull();
    expect(quantityProblem(MAX_QUANTITY + 1)).toBe('must be a whole number >= 0 and at most 1000000');
  });

  it('#8.2 control characters (NUL first) are refused in free text, ids and codes', () => {
    expect(firstMessage(nonEmptyTextSchema(), 'a\u0000b')).toBe('must not contain control characters (such as NUL)');
    expect(firstMessage(nonEmptyTextSchema(), 'a\u009fb')).toBe('must not contain control characters (such as NUL)');
    expect(firstMessage(clientIdSchema(), 'a\u0000b')).toMatch(/^must be 1 to 128 letters/);
    expect(firstMessage(nonEmptyTextSchema(), 'é日本🙂')).toBeUndefined();
  });

  it('#8.4 a query parameter must be one plain value: lists and objects are refused, empty is absent', () => {
    const schema = z.strictObject({ period: queryParam(periodSchema()) });
    expect(schema.parse({ period: '' })).toEqual({ period: undefined });
    expect(schema.parse({ period: '2026-04' })).toEqual({ period: '2026-04' });
    for (const bad of [['2026-04', '2026-05'], { a: '1' }]) {
      expect(firstMessage(schema, { period: bad })).toBe('must be given once, as a plain value (not a list or an object)');
    }
  });
});
