import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Params } from 'nestjs-pino';
import { DestinationStream, stdTimeFunctions } from 'pino';
import type { Options } from 'pino-http';
import type { AppConfig } from '../config/app-config';
import {
  CORRELATION_HEADER,
  currentCorrelationId,
  newCorrelationId,
  REQUEST_ID_HEADER,
  runWithCorrelation,
  saneId,
} from '../observability/correlation';

/** Paths never written to a log (the operator token travels in `authorization`). */
export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["proxy-authorization"]'];

const QUIET_PATHS = new Set(['/health', '/metrics']);

/**
 * nestjs-pino's options for an app: one JSON object per line (`time` ISO, `level` as a word, `app`,
 * `context`, `msg`), at LOG_LEVEL; every line of an HTTP request carries its `requestId`; every
 * line written while a correlation id is current carries `correlationId`; the Authorization header
 * is redacted. `destination` replaces stdout (tests capture the lines).
 */
export function loggerParams(config: AppConfig, destination?: DestinationStream): Params {
  const options: Options = {
    level: config.logLevel,
    base: { app: config.app },
    messageKey: 'msg',
    timestamp: stdTimeFunctions.isoTime, // log timestamps are wall-clock, not billing time
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin: () => {
      const correlationId = currentCorrelationId();
      return correlationId ? { correlationId } : {};
    },
    // the request as pino-http serialises it (headers redacted); of the response only its status
    serializers: { res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }) },
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'requestId' },
    // the id requestContextMiddleware gave the request (it runs first)
    genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? newCorrelationId(),
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    autoLogging: { ignore: (req: IncomingMessage) => QUIET_PATHS.has((req.url ?? '').split('?')[0]) },
  };
  return { pinoHttp: destination ? [options, destination] : options };
}

/**
 * First middleware of every request: its request id (a sane incoming `X-Request-Id`, else a new
 * uuid), echoed in the response, and its correlation id (a sane incoming `X-Correlation-Id`, else
 * the request id), echoed too and current for everything the request does (logs, outbox rows,
 * NATS headers).
 */
export function requestContextMiddleware(): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    const requestId = saneId(req.headers['x-request-id']) ?? newCorrelationId();
    (req as Request & { id?: string }).id = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const correlationId = saneId(req.headers['x-correlation-id']) ?? requestId;
    res.setHeader(CORRELATION_HEADER, correlationId);
    runWithCorrelation(correlationId, next);
  };
}
