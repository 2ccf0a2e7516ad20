import { DomainError, ErrorCode } from '@cec/kernel';

/** Runs `action`, expecting a DomainError; returns it for further assertions (test helper). */
export function refusal(action: () => unknown): DomainError {
  try {
    action();
  } catch (error) {
    if (error instanceof DomainError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a DomainError, but nothing was thrown');
}

/** Expects `action` to throw a DomainError with this code whose message matches `message`. */
export function expectRefusal(action: () => unknown, code: ErrorCode, message: RegExp): DomainError {
  const error = refusal(action);
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
  return error;
}
