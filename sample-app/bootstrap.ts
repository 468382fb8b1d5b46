import type { AddressInfo } from 'node:net';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EmbeddedConnector, IGGY_CONNECTOR, IggyServer, type IggyConnector } from '../lib/index.js';
import { AppModule } from './app.module.js';
import type { SampleConfig } from './sample-config.js';

/** Where a started app is reachable (printed as `SAMPLE_APP_READY {...}`). */
export interface SampleAppInfo {
  http: number;
  mode: 'embedded' | 'remote';
  /** The embedded broker's TCP / HTTP ports (null in remote mode or without a listener). */
  tcp: number | null;
  brokerHttp: number | null;
  instance: string;
  pid: number;
}

/**
 * Wires an app: shutdown hooks, the `IggyServer` microservice (hybrid app, on the module's connector)
 * for the `@MessagePattern` handlers, then the HTTP listener. The `@IggyEventHandler` groups start with
 * the app.
 */
export async function startSampleApp(
  app: INestApplication,
  config: SampleConfig,
): Promise<{ app: INestApplication; info: SampleAppInfo }> {
  app.enableShutdownHooks();
  app.connectMicroservice(
    { strategy: IggyServer.fromApp(app, { group: config.rpcGroup }) },
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address() as AddressInfo;
  const connector = app.get<IggyConnector>(IGGY_CONNECTOR);
  const embedded = connector instanceof EmbeddedConnector ? connector : undefined;
  const info: SampleAppInfo = {
    http: address.port,
    mode: connector.config?.mode ?? 'embedded',
    tcp: embedded?.tcpPort ?? null,
    brokerHttp: embedded?.httpPort ?? null,
    instance: config.instance,
    pid: process.pid,
  };
  return { app, info };
}

/** Creates and starts the app for `config`. */
export async function createSampleApp(
  config: SampleConfig,
  logger?: LoggerService | false,
): Promise<{ app: INestApplication; info: SampleAppInfo }> {
  const app = await NestFactory.create(AppModule.forRoot(config), logger === undefined ? {} : { logger });
  return startSampleApp(app, config);
}
