import { describeError } from './errors';

describe('describeError (#9.6 log lines name the code and the message)', () => {
  it('#9.6 an RPC error body logs its code and message, not [object Object]', () => {
    expect(describeError({ statusCode: 502, code: 'REPLY_TOO_LARGE', message: 'the reply is over 1 MB' })).toBe('REPLY_TOO_LARGE: the reply is over 1 MB');
  });

  it('#9.6 an Error with a code (NATS, DomainError) logs both; a plain Error its message', () => {
    expect(describeError(Object.assign(new Error('timeout'), { code: 'TIMEOUT' }))).toBe('TIMEOUT: timeout');
    expect(describeError(new TypeError('x is undefined'))).toBe('TypeError: x is undefined');
    expect(describeError(new Error('plain'))).toBe('plain');
  });

  it('#9.6 anything else is shown as JSON or text', () => {
    expect(describeError({ reason: 'odd' })).toBe('{"reason":"odd"}');
    expect(describeError('text')).toBe('text');
    expect(describeError(undefined)).toBe('undefined');
  });

  it('#10 review: the one log description of a failure (the kernel\'s describeFailure folded into it): an app\'s error body', () => {
    expect(describeError({ statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: 'down' })).toBe('SERVICE_UNAVAILABLE: down');
    expect(describeError({ unexpected: true })).not.toContain('[object Object]');
  });
});
