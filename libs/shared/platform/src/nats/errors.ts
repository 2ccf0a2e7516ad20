/**
 * One line for a log: the error's code (when it has one: DomainError, NATS errors, RPC error
 * bodies `{statusCode, code, message}`) and its message. Never `[object Object]`.
 */
export function describeError(error: unknown): string {
  if (error === null || error === undefined) return String(error);
  if (typeof error !== 'object') return String(error);
  const record = error as Record<string, unknown>;
  const code = typeof record['code'] === 'string' || typeof record['code'] === 'number' ? String(record['code']) : null;
  let message: string;
  if (error instanceof Error) message = error.message;
  else if (typeof record['message'] === 'string') message = record['message'];
  else {
    try {
      message = JSON.stringify(error);
    } catch {
      message = Object.prototype.toString.call(error);
    }
  }
  const name = error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : '';
  return code ? `${code}: ${name}${message}` : `${name}${message}`;
}

/** An error a consumer gives its terminal callback when the platform, not the handler, ended a message. */
export class ConsumerTerminalError extends Error {
  constructor(
    readonly code: 'DELIVERIES_EXHAUSTED',
    message: string,
  ) {
    super(message);
    this.name = 'ConsumerTerminalError';
  }
}
