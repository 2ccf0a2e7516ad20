import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** NATS header (and HTTP header) carrying the correlation id of the work a message belongs to. */
export const CORRELATION_HEADER = 'X-Correlation-Id';
/** HTTP header of the request id (accepted from the caller when sane, always echoed). */
export const REQUEST_ID_HEADER = 'X-Request-Id';

const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** An incoming id is kept only if it is a short token of safe characters (no log injection). */
export function saneId(value: unknown): string | null {
  const text = Array.isArray(value) ? value[0] : value;
  return typeof text === 'string' && SANE_ID.test(text) ? text : null;
}

export function newCorrelationId(): string {
  return randomUUID();
}

const storage = new AsyncLocalStorage<{ correlationId: string }>();

/**
 * The correlation id of the work in progress: set for an HTTP request (its `X-Correlation-Id`, else
 * its request id), for a consumed JetStream batch whose messages share one, and for a request/reply
 * handler. Publishing reads it (outbox rows keep it, NATS headers carry it); every log line has it.
 */
export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}

/** Runs `work` with `correlationId` as the current one (nothing changes when it is null). */
export function runWithCorrelation<T>(correlationId: string | null | undefined, work: () => T): T {
  if (!correlationId) return work();
  return storage.run({ correlationId }, work);
}
