import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { QUEUE_GROUPS } from '@cec/contracts';
import { APP_CONFIG, AppConfig, AppName, natsServers } from './config/app-config';
import { createValidationPipe } from './http/validation';
import { JsonLogger } from './logging/json-logger';

export interface AppDescription {
  app: AppName;
  title: string;
  description: string;
}

/**
 * Wires an app's HTTP side (body limits, validation, OpenAPI at /docs and /docs-json) and its NATS
 * request/reply side (queue group per app). Used by main.ts and by integration tests alike.
 */
export async function configureApp(app: NestExpressApplication, description: AppDescription): Promise<AppConfig> {
  const config = app.get<AppConfig>(APP_CONFIG);
  app.useBodyParser('json', { limit: '5mb' });
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(description.title)
      .setDescription(description.description)
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An operator token (OPERATOR_TOKENS)' })
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  app.connectMicroservice<MicroserviceOptions>(
    { transport: Transport.NATS, options: { servers: natsServers(config.natsUrl), queue: QUEUE_GROUPS[description.app], name: `${description.app}-rpc-server` } },
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  return config;
}

export async function bootstrapApp(module: Type<unknown> | DynamicModule, description: AppDescription): Promise<INestApplication> {
  const logger = new JsonLogger(description.app, (process.env['LOG_LEVEL'] as 'info' | undefined) ?? 'info');
  const app = await NestFactory.create<NestExpressApplication>(module, { logger, bodyParser: false });
  const config = await configureApp(app, description);
  await app.listen(config.port, '0.0.0.0');
  logger.log(`${description.app} listening on port ${config.port}`, 'Bootstrap');
  if (config.operatorTokenFile) {
    logger.log(`operator token file: ${config.operatorTokenFile}`, 'Bootstrap');
  }
  return app;
}
