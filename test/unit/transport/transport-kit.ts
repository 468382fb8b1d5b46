import { Module, type INestApplication, type Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IggyModule } from '../../../lib/module/iggy.module.js';
import type { IggyModuleOptions } from '../../../lib/module/interfaces/iggy-module-options.interface.js';
import { IggyServer } from '../../../lib/transport/iggy.server.js';
import type { IggyServerOptions } from '../../../lib/transport/interfaces/iggy-server-options.interface.js';
import { memoryConfig } from '../module/iggy-test-kit.js';

export interface HybridApp {
  app: INestApplication;
  server: IggyServer;
}

/**
 * A hybrid app (HTTP app + IggyServer on the module's connector, in-memory embedded broker) with the
 * given controllers and providers, microservice started. The microservice inherits the app's config
 * (global DLQ interceptor) unless `inheritAppConfig: false`.
 */
export async function startHybrid(
  controllers: Type[],
  options: {
    module?: IggyModuleOptions;
    server?: Omit<IggyServerOptions, 'connector'>;
    providers?: Type[];
    inheritAppConfig?: boolean;
  } = {},
): Promise<HybridApp> {
  @Module({
    imports: [IggyModule.forRoot(memoryConfig({ requestReply: { timeoutMs: 2_000 }, ...options.module }))],
    controllers,
    providers: options.providers ?? [],
  })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  const server = IggyServer.fromApp(app, { group: 'test-server', pollIntervalMs: 5, ...options.server });
  app.connectMicroservice({ strategy: server }, { inheritAppConfig: options.inheritAppConfig ?? true });
  await app.startAllMicroservices();
  await app.init();
  return { app, server };
}

/** A promise with its resolve function, to hold a handler mid-flight. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
