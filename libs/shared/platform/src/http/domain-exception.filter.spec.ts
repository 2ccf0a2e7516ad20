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
});
