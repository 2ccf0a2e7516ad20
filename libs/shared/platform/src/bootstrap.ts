import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, ServerNats } from '@nestjs/microservices';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { cleanupOpenApiDoc } from 'nestjs-zod';
import { QUEUE_GROUPS } from '@cec/contracts';
import { APP_CONFIG, AppConfig, AppName } from './config/app-config';
import { createValidationPipe } from './http/validation';
import { applyOperatorSecurity } from './http/openapi-security';
import { JSON_BODY_LIMIT } from './http/request-bounds';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { requestContextMiddleware } from './logging/logging';
import { httpMetricsMiddleware } from './observability/metrics';
import { natsConnectionOptions } from './nats/nats-connection-options';
import { NatsConnectionMonitor } from './nats/nats-connection-monitor';

export interface AppDescription {
  app: AppName;
  title: string;
  description: string;
}

interface ExpressRouterOptions {
  caseSensitive?: boolean;
  strict?: boolean;
}

/**
 * Strict, case-sensitive routing: `/V1/bills`, `/v1/Bills` and `/v1/bills/` match no route (404).
 * Express reads these settings when it creates its router, which Nest's adapter has already done
 * (it registers a middleware in its constructor), so the router's own options are set as well;
 * this must run before any route is registered.
 */
function useStrictRouting(app: NestExpressApplication): void {
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  // bracketed keys stay plain keys (`accountId[a]`), refused by RequestBoundsInterceptor
  app.set('query parser', 'simple');
  // the options of the `router` package (2.x), which @types/express does not declare
  const router = app.getHttpAdapter().getInstance().router as unknown as ExpressRouterOptions;
  router.caseSensitive = true;
  router.strict = true;
}

/**
 * The app's OpenAPI document as served at /docs-json: the routes Nest registered, the zod DTOs'
 * schemas (cleanupOpenApiDoc turns createZodDto's into proper OpenAPI schemas) and the operator-token
 * security on every operation not marked @Public(). It reads only the modules' metadata, so it also
 * works on an application created in preview mode (see {@link createOpenApiDocument}).
 */
export function buildOpenApiDocument(app: INestApplication, description: AppDescription): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(description.title).setDescription(description.description).setVersion('1').build(),
  );
  return cleanupOpenApiDoc(applyOperatorSecurity(document));
}

/**
 * The environment the committed OpenAPI documents (docs/openapi) are built under: a fixed token, so
 * that none is generated into OPERATOR_TOKEN_FILE, and the test clock on, so that billing's document
 * lists `/v1/test/clock` (served only with BILLING_TEST_CLOCK=true; its operations say so).
 */
export const OPENAPI_BUILD_ENV: Readonly<Record<string, string>> = {
  NODE_ENV: 'development',
  OPERATOR_TOKENS: 'openapi-document-build-only',
  BILLING_TEST_CLOCK: 'true',
};

/**
 * Builds an app's OpenAPI document without a database, NATS or a port: Nest's preview mode
 * resolves the module graph but instantiates no provider or controller. `module` is called under
 * {@link OPENAPI_BUILD_ENV} (the environment is restored afterwards). `npm run docs:openapi`
 * writes docs/openapi/<app>.json with it, and each app's openapi.spec.ts checks they are current.
 */
export async function createOpenApiDocument(module: () => Type<unknown> | DynamicModule, description: AppDescription): Promise<OpenAPIObject> {
  const saved = Object.fromEntries(Object.keys(OPENAPI_BUILD_ENV).map((name) => [name, process.env[name]]));
  Object.assign(process.env, OPENAPI_BUILD_ENV);
  let root: Type<unknown> | DynamicModule;
  try {
    root = module();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  const app = await NestFactory.create<NestExpressApplication>(root, { preview: true, logger: false, abortOnError: false });
  try {
    return buildOpenApiDocument(app, description);
  } finally {
    await app.close();
  }
}

/** The text of a committed OpenAPI document: two-space JSON and a final newline. */
export function openApiJson(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * Wires an app's HTTP side (strict routing, helmet headers, a 1mb JSON body limit, validation,
 * OpenAPI at /docs and /docs-json with the operator-token security on every protected operation,
 * request/correlation ids, HTTP metrics, the nestjs-pino logger)
 * and its NATS request/reply side (queue group per app). Used by main.ts and by integration tests
 * alike. Authentication and the generic input bounds are global providers of PlatformModule.
 */
export async function configureApp(app: NestExpressApplication, description: AppDescription): Promise<AppConfig> {
  const config = app.get<AppConfig>(APP_CONFIG);
  app.useLogger(app.get(PinoNestLogger));
  useStrictRouting(app);
  app.disable('x-powered-by');
  // first of all: the request id and correlation id (nestjs-pino's own middleware runs later and
  // takes the request id from here), then the HTTP metrics, by the route pattern that matched
  app.use(requestContextMiddleware());
  app.use(httpMetricsMiddleware());
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // Swagger UI at /docs: its scripts are files of /docs, its styles partly inline
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
          'upgrade-insecure-requests': null,
        },
      },
    }),
  );
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT });
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app, description), { jsonDocumentUrl: 'docs-json' });
  // the NATS server instance is ours (a custom strategy) so that NatsConnectionMonitor can report on
  // it and make it listen again should its connection ever close; it reconnects forever by itself
  const rpcServer = new ServerNats({ ...natsConnectionOptions(config.natsUrl, `${description.app}-rpc-server`), queue: QUEUE_GROUPS[description.app] });
  app.connectMicroservice<MicroserviceOptions>({ strategy: rpcServer }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  app.get(NatsConnectionMonitor).attachRpcServer(rpcServer);
  return config;
}

/**
 * Idle keep-alive connections stay open 65 s (Node's default is 5 s): longer than the idle timeout
 * of clients and load balancers (60 s is common), so a client never sends a request on a socket
 * the server is closing at that moment ("other side closed" on a POST that cannot be retried).
 */
export function keepIdleConnectionsOpen(app: INestApplication): void {
  const server = app.getHttpServer() as import('node:http').Server;
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
}

export async function bootstrapApp(module: Type<unknown> | DynamicModule, description: AppDescription): Promise<INestApplication> {
  // lines written before the pino logger is in place are buffered and then written through it
  const app = await NestFactory.create<NestExpressApplication>(module, { bufferLogs: true, bodyParser: false });
  const config = await configureApp(app, description);
  const logger = app.get(PinoNestLogger);
  await app.listen(config.port, '0.0.0.0');
  keepIdleConnectionsOpen(app);
  logger.log(`${description.app} listening on port ${config.port}`, 'Bootstrap');
  if (config.operatorTokenFile) {
    logger.log(`operator token file: ${config.operatorTokenFile}`, 'Bootstrap');
  }
  return app;
}
