import { z } from 'zod';
import { checkedBy, DomainError, quantitySchema } from '@cec/kernel';
import { fieldPath, validationFailure } from './validation';

function failure(schema: z.ZodType, value: unknown): DomainError {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected a failure');
  return validationFailure(result.error);
}

describe('the error of the validation pipe (R8.1: a 400 whose message names the field)', () => {
  const schema = z.strictObject({ events: z.array(z.strictObject({ quantity: quantitySchema() })) });

  it('puts the field path in front of the problem', () => {
    expect(fieldPath(['events', 3, 'quantity'])).toBe('events[3].quantity');
    const error = failure(schema, { events: [{ quantity: 1 }, { quantity: -1 }] });
    expect({ code: error.code, message: error.message }).toEqual({ code: 'VALIDATION_FAILED', message: 'events[1].quantity must be a whole number >= 0' });
  });

  it('names an unknown field, nested or not', () => {
    expect(failure(schema, { events: [], colour: 'red' }).message).toBe('colour is not an allowed field');
    expect(failure(schema, { events: [{ quantity: 1, extra: 1 }] }).message).toBe('events[0].extra is not an allowed field');
  });

  it('refuses a body that is not an object in one sentence', () => {
    expect(failure(schema, [1, 2]).message).toBe('the request body must be a JSON object');
    expect(failure(schema, undefined).message).toBe('the request body must be a JSON object');
  });

  it('keeps a validation code a domain rule gave (UNSUPPORTED_BILLING_MODE), and only validation codes', () => {
    const mode = z.strictObject({
      billingMode: z.string().check(
        checkedBy((value) => {
          throw new DomainError('UNSUPPORTED_BILLING_MODE', `billingMode "${value}" is not supported`);
        }),
      ),
    });
    const error = failure(mode, { billingMode: 'monthly' });
    expect({ code: error.code, message: error.message }).toEqual({ code: 'UNSUPPORTED_BILLING_MODE', message: 'billingMode "monthly" is not supported' });
    const conflict = z.strictObject({ x: z.string().check(checkedBy(() => { throw new DomainError('ACCOUNT_EXISTS', 'x exists'); })) });
    expect(failure(conflict, { x: 'a' }).code).toBe('VALIDATION_FAILED');
  });
});
