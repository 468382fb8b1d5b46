import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { EmbeddedConnector, IGGY_CONNECTOR, IggyServer } from 'nestjs-iggy';
import { EmbeddedConnector as ConnectorLayerEmbedded } from 'nestjs-iggy/connector';
import { AppModule } from './app.module.js';

async function main(): Promise<void> {
  // A subpath entry point shares its modules with the main one (one build per app: no second copy).
  if (ConnectorLayerEmbedded !== EmbeddedConnector)
    throw new Error('nestjs-iggy/connector loaded a second copy');
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn', 'log'] });
  app.enableShutdownHooks();
  app.connectMicroservice(
    { strategy: IggyServer.fromApp(app, { group: 'compat-rpc' }) },
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.listen(0, '127.0.0.1');
  const connector: unknown = app.get(IGGY_CONNECTOR);
  if (!(connector instanceof EmbeddedConnector)) throw new Error('expected the embedded connector');
  const address = app.getHttpServer().address() as { port: number };
  process.stdout.write(`COMPAT_READY ${JSON.stringify({ port: address.port, format: typeof require })}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
