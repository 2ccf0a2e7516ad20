import { BadRequestException, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { DomainError } from '@cec/kernel';
import { DomainExceptionFilter } from './domain-exception.filter';

describe('DomainExceptionFilter: one mapping to the contract error body (R8.1)', () => {
  const filter = new DomainExceptionFilter();

  it('maps domain error kinds to 400/404/409 with their code and sentence', () => {
    expect(filter.toBody(DomainError.validation('quantity must be a whole number >= 0'))).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'quantity must be a whole number >= 0' });
    expect(filter.toBody(new DomainError('PRODUCT_NOT_FOUND', 'product "x" does not exist'))).toEqual({ statusCode: 404, code: 'PRODUCT_NOT_FOUND', message: 'product "x" does not exist' });
    expect(filter.toBody(new DomainError('DISCOUNT_OVERLAP', 'overlaps'))).toMatchObject({ statusCode: 409, code: 'DISCOUNT_OVERLAP' });
    expect(filter.toBody(new DomainError('UNSUPPORTED_BILLING_MODE', 'only pay_per_use'))).toMatchObject({ statusCode: 400 });
  });

  it('maps Nest HTTP exceptions, keeping an explicit code', () => {
    expect(filter.toBody(new BadRequestException({ code: 'VALIDATION_FAILED', message: 'x: property x should not exist' }))).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'x: property x should not exist' });
    expect(filter.toBody(new UnauthorizedException({ code: 'UNAUTHORIZED', message: 'no token' }))).toEqual({ statusCode: 401, code: 'UNAUTHORIZED', message: 'no token' });
    expect(filter.toBody(new NotFoundException('Cannot GET /v1/nope'))).toEqual({ statusCode: 404, code: 'NOT_FOUND', message: 'Cannot GET /v1/nope' });
  });

  it('malformed JSON from the body parser is a 400; anything unknown a 500 that leaks nothing', () => {
    expect(filter.toBody({ type: 'entity.parse.failed', status: 400, message: 'Unexpected token' })).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'request body is not valid JSON' });
    expect(filter.toBody({ type: 'entity.too.large', status: 413 })).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(filter.toBody(new Error('connection string postgres://secret'))).toEqual({ statusCode: 500, code: 'INTERNAL_ERROR', message: 'internal error' });
  });

  it('#8.2 4xx failures of Express layers keep their status: bad percent-encoding, charset, encoding', () => {
    const uriError = Object.assign(new URIError("Failed to decode param '%E0%A4%A'"), { status: 400 });
    expect(filter.toBody(uriError)).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'request path is not valid percent-encoding' });
    expect(filter.toBody({ type: 'charset.unsupported', status: 415, message: 'unsupported charset "LATIN1"' })).toEqual({
      statusCode: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'unsupported charset "LATIN1"',
    });
    expect(filter.toBody({ type: 'encoding.unsupported', statusCode: 415, message: 'unsupported content encoding "foo"' })).toMatchObject({ statusCode: 415 });
    expect(filter.toBody({ status: 503, message: 'not a client error' })).toMatchObject({ statusCode: 500, code: 'INTERNAL_ERROR' });
  });

  it('#9.2 the database away or its pool exhausted is a 503 DATABASE_UNAVAILABLE, not a 500', () => {
    const unavailable = { statusCode: 503, code: 'DATABASE_UNAVAILABLE', message: expect.stringMatching(/database is unavailable/) };
    expect(filter.toBody(new Error('Unable to acquire a connection'))).toEqual(unavailable);
    expect(filter.toBody(Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' }))).toEqual(unavailable);
    expect(filter.toBody(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toEqual(unavailable);
    expect(filter.toBody(Object.assign(new Error('duplicate key'), { code: '23505' }))).toMatchObject({ statusCode: 500 });
  });
});
