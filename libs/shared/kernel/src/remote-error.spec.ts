import { DomainError } from './domain-error';
import { classifyFailure, RemoteCallError } from './remote-error';

describe('#9.1 typed errors between apps: retryable or permanent, in one place', () => {
  it('an unavailable app, a timeout, a 5xx body are retryable; 4xx-kind codes and REPLY_TOO_LARGE are permanent', () => {
    expect(classifyFailure(new DomainError('CATALOG_UNAVAILABLE', 'catalog down'))).toEqual({ statusCode: 503, code: 'CATALOG_UNAVAILABLE', message: 'catalog down', retryable: true });
    expect(classifyFailure(new RemoteCallError(504, 'RPC_TIMEOUT', 'no reply', true))).toMatchObject({ retryable: true });
    expect(classifyFailure({ statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: 'later' })).toMatchObject({ statusCode: 503, retryable: true });
    expect(classifyFailure({ code: 'CATALOG_UNAVAILABLE', message: 'x' })).toMatchObject({ statusCode: 503, retryable: true });
    expect(classifyFailure({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'period: not a month' })).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED', message: 'period: not a month', retryable: false });
    expect(classifyFailure({ code: 'PRICE_NOT_FOUND', message: 'x' })).toMatchObject({ statusCode: 409, retryable: false });
    expect(classifyFailure({ statusCode: 413, code: 'REPLY_TOO_LARGE', message: 'x' })).toMatchObject({ retryable: false });
    expect(classifyFailure(DomainError.validation('bad'))).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED', retryable: false });
  });

  it('database errors by SQLSTATE: numeric overflow and refused data are permanent, a lost connection is retryable', () => {
    const pg = (code: string, message: string): Error => Object.assign(new Error(message), { code, severity: 'ERROR' });
    expect(classifyFailure(pg('22003', 'numeric field overflow'))).toMatchObject({ code: 'NUMERIC_OVERFLOW', statusCode: 422, retryable: false });
    expect(classifyFailure(pg('23514', 'check violation'))).toMatchObject({ code: 'DATA_REJECTED', retryable: false });
    expect(classifyFailure(pg('57P01', 'terminating connection'))).toMatchObject({ code: 'DATABASE_UNAVAILABLE', retryable: true });
    expect(classifyFailure(pg('40P01', 'deadlock detected'))).toMatchObject({ retryable: true });
  });

  it('anything else is retryable (bounded by the consumer); its message is never [object Object]', () => {
    expect(classifyFailure(new Error('socket hang up'))).toEqual({ statusCode: 500, code: 'INTERNAL_ERROR', message: 'socket hang up', retryable: true });
    expect(classifyFailure({ code: 'REPLY_TOO_LARGE', message: 'the reply is 1500000 bytes' })).toMatchObject({ code: 'REPLY_TOO_LARGE', retryable: false });
    expect(classifyFailure({ unexpected: true }).message).not.toContain('[object Object]');
  });
});
