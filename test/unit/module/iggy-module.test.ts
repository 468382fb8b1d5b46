import 'reflect-metadata';
import { Global, Inject, Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService, registerAs } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { EmbeddedServer } from '../../../lib/broker/embedded-server.js';
import { EmbeddedConnector } from '../../../lib/connectors/embedded-connector.js';
import type { IggyConnector } from '../../../lib/connectors/iggy-connector.js';
import { IggyConfigError } from '../../../lib/module/config/iggy-config.error.js';
import { iggyConfigFromEnv } from '../../../lib/module/config/iggy-config.env.js';
import { iggyConfigLoader } from '../../../lib/module/config/iggy-config.loader.js';
import { IGGY_CLIENT, IGGY_CONNECTOR, IGGY_OPTIONS } from '../../../lib/module/iggy.constants.js';
import type { IggyOptionsFactory } from '../../../lib/module/iggy.module-definition.js';
import { IggyModule } from '../../../lib/module/iggy.module.js';
import type { IggyModuleOptions } from '../../../lib/module/interfaces/iggy-module-options.interface.js';
import type { ResolvedIggyModuleOptions } from '../../../lib/module/interfaces/resolved-iggy-options.interface.js';
import { IggyClientProxy } from '../../../lib/transport/iggy.client-proxy.js';
import { ClientsModule } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { memoryConfig, memoryEnv, RecordingLogger, recordLogs } from './iggy-test-kit.js';

let app: TestingModule | undefined;
beforeAll(() => void recordLogs());
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function boot(imports: unknown[]): Promise<TestingModule> {
  app = await Test.createTestingModule({ imports: imports as never[] }).compile();
  await app.init();
  return app;
}

async function topicsOf(connector: IggyConnector, stream: string): Promise<(string | undefined)[]> {
  return Promise.all(
    ['domain', 'system', 'dlq'].map(async (t) => (await connector.getTopic(stream, t))?.name),
  );
}

describe('IggyModule.forRoot', () => {
  it('connects on init, ensures the topology, provides the client, and shuts down on close', async () => {
    const moduleRef = await boot([IggyModule.forRoot(memoryConfig({ streamName: 'shop' }))]);
    const connector = moduleRef.get<IggyConnector>(IGGY_CONNECTOR);
    expect(connector).toBeInstanceOf(EmbeddedConnector);
    expect(connector.isConnected()).toBe(true);
    expect(await topicsOf(connector, 'shop')).toEqual(['domain', 'system', 'dlq']);
    const options = moduleRef.get<ResolvedIggyModuleOptions>(IGGY_OPTIONS);
    expect(options).toMatchObject({ mode: 'embedded', streamName: 'shop', retry: { attempts: 3 } });
    const client = moduleRef.get(IggyClientProxy);
    expect(client).toBeInstanceOf(IggyClientProxy);
    expect(moduleRef.get(IGGY_CLIENT)).toBe(client);
    await moduleRef.close();
    app = undefined;
    expect(connector.isConnected()).toBe(false);
    await expect(lastValueFrom(client.emit('order.placed', { tenantId: 't1' }))).rejects.toThrow(
      /not connected: not yet .*, or no longer \(the application or the connector was shut down\)/,
    );
  });

  it('fails the boot with one error listing every bad field', async () => {
    const bad = {
      mode: 'cloud',
      partitions: 0,
      remote: { addresses: ['nohost'] },
    } as unknown as IggyModuleOptions;
    const error = await Test.createTestingModule({ imports: [IggyModule.forRoot(bad)] })
      .compile()
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(IggyConfigError);
    expect((error as Error).message).toBe(
      "invalid Iggy config: mode must be one of embedded, remote, got 'cloud'; " +
        'partitions must be an integer in 1..1000, got 0; ' +
        "remote.addresses[0] must be host:port, got 'nohost'",
    );
  });

  it('is global by default: a feature module injects its providers without importing it', async () => {
    @Injectable()
    class Consumer {
      constructor(
        @Inject(IGGY_CONNECTOR) readonly connector: IggyConnector,
        readonly client: IggyClientProxy,
      ) {}
    }
    @Module({ providers: [Consumer] })
    class FeatureModule {}
    const moduleRef = await boot([IggyModule.forRoot(memoryConfig()), FeatureModule]);
    expect(moduleRef.get(Consumer).connector.isConnected()).toBe(true);
    expect(moduleRef.get(Consumer).client).toBe(moduleRef.get(IggyClientProxy));
  });

  it('with isGlobal: false, only the modules that import it see its providers', () => {
    expect(IggyModule.forRoot(memoryConfig()).global).toBe(true);
    expect(IggyModule.forRoot({ ...memoryConfig(), isGlobal: false }).global).toBe(false);
    expect(IggyModule.forRootAsync({ useFactory: () => memoryConfig(), isGlobal: false }).global).toBe(false);
  });

  it('logs one start-up line: mode, data, listeners, stream', async () => {
    const logs = new RecordingLogger();
    app = await Test.createTestingModule({
      imports: [IggyModule.forRoot(memoryConfig({ streamName: 'shop' }))],
    })
      .setLogger(logs)
      .compile();
    expect(logs.lines.filter((line) => line.startsWith('log ') && /stream '/.test(line))).toEqual([
      "log embedded: in memory, TCP off, HTTP off; stream 'shop', domain topic 'domain'",
    ]);
  });
});

describe("remote over the server's HTTP API", () => {
  it('boots, ensures the topology and publishes (an app that only emits)', async () => {
    const server = await EmbeddedServer.start({
      persistent: false,
      tcpPort: null,
      httpPort: 0,
      rootPassword: 'iggy',
    });
    try {
      const moduleRef = await boot([
        IggyModule.forRoot({
          mode: 'remote',
          streamName: 'over-http',
          remote: {
            protocol: 'http',
            addresses: [`127.0.0.1:${server.httpAddress!.port}`],
            username: 'iggy',
            password: 'iggy',
          },
        }),
      ]);
      const client = moduleRef.get(IggyClientProxy);
      await expect(lastValueFrom(client.emit('order.placed', { tenantId: 't1' }))).resolves.toBeUndefined();
      const domain = await moduleRef.get<IggyConnector>(IGGY_CONNECTOR).getTopic('over-http', 'domain');
      expect(domain!.partitions.reduce((n, p) => n + Number(p.messagesCount), 0)).toBe(1);
    } finally {
      await app?.close();
      app = undefined;
      await server.stop();
    }
  });
});

describe('clients of ClientsModule', () => {
  it("with the module's connector injected (registerAsync), takes the module's client options too", async () => {
    const moduleRef = await boot([
      IggyModule.forRoot(memoryConfig({ defaultTenantId: 'dflt', streamName: 'adopted' })),
      ClientsModule.registerAsync([
        {
          name: 'ORDERS_ASYNC',
          inject: [IGGY_CONNECTOR],
          useFactory: (connector: IggyConnector) => ({
            customClass: IggyClientProxy,
            options: { connector },
          }),
        },
      ]),
    ]);
    const client = moduleRef.get<IggyClientProxy>('ORDERS_ASYNC');
    await expect(lastValueFrom(client.emit('order.placed', { n: 1 }))).resolves.toBeUndefined();
    const domain = await moduleRef.get<IggyConnector>(IGGY_CONNECTOR).getTopic('adopted', 'domain');
    expect(domain!.partitions.reduce((n, p) => n + Number(p.messagesCount), 0)).toBe(1);
  });
});

describe('IggyModule.forRootAsync', () => {
  it('takes its options from ConfigService (useFactory + inject), loaded from env', async () => {
    const moduleRef = await boot([
      ConfigModule.forRoot({
        ignoreEnvFile: true,
        load: [iggyConfigLoader({ env: { ...memoryEnv, IGGY_STREAM: 'from-env', IGGY_DLQ_TOPIC: 'dead' } })],
      }),
      IggyModule.forRootAsync({
        imports: [ConfigModule],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => config.getOrThrow<IggyModuleOptions>('iggy'),
      }),
    ]);
    const connector = moduleRef.get<IggyConnector>(IGGY_CONNECTOR);
    expect(connector.config?.streamName).toBe('from-env');
    expect(await connector.getTopic('from-env', 'dead')).not.toBeNull();
  });

  it('works with registerAs and a useClass options factory', async () => {
    const iggyConfig = registerAs('iggy', () =>
      iggyConfigFromEnv({ ...memoryEnv, IGGY_STREAM: 'registered' }),
    );
    @Injectable()
    class IggyOptions implements IggyOptionsFactory {
      constructor(private readonly config: ConfigService) {}
      createIggyOptions(): IggyModuleOptions {
        return this.config.getOrThrow<IggyModuleOptions>('iggy');
      }
    }
    const moduleRef = await boot([
      ConfigModule.forRoot({ ignoreEnvFile: true, isGlobal: true, load: [iggyConfig] }),
      IggyModule.forRootAsync({ useClass: IggyOptions }),
    ]);
    expect(moduleRef.get<IggyConnector>(IGGY_CONNECTOR).config?.streamName).toBe('registered');
  });

  it('works with useExisting: the options factory provided by an imported module, not built again', async () => {
    @Injectable()
    class SharedIggyOptions implements IggyOptionsFactory {
      static built = 0;
      readonly streamName = `existing-${++SharedIggyOptions.built}`;
      createIggyOptions(): IggyModuleOptions {
        return memoryConfig({ streamName: this.streamName });
      }
    }
    @Module({ providers: [SharedIggyOptions], exports: [SharedIggyOptions] })
    class OptionsModule {}
    const moduleRef = await boot([
      IggyModule.forRootAsync({ imports: [OptionsModule], useExisting: SharedIggyOptions }),
    ]);
    const connector = moduleRef.get<IggyConnector>(IGGY_CONNECTOR);
    expect(connector.isConnected()).toBe(true);
    expect(connector.config?.streamName).toBe('existing-1');
    expect(await topicsOf(connector, 'existing-1')).toEqual(['domain', 'system', 'dlq']);
    expect(SharedIggyOptions.built).toBe(1);
  });

  it('fails the boot when the factory gives a bad config', async () => {
    const error = await Test.createTestingModule({
      imports: [
        IggyModule.forRootAsync({ useFactory: () => ({ ...memoryConfig(), serialization: 'xml' }) as never }),
      ],
    })
      .compile()
      .catch((err: unknown) => err);
    expect(String(error)).toBe(
      "IggyConfigError: invalid Iggy config: serialization must be one of json, msgpack, got 'xml'",
    );
  });

  it('fails the boot when the factory returns nothing, rather than run on the defaults', async () => {
    const error = await Test.createTestingModule({
      imports: [IggyModule.forRootAsync({ useFactory: () => undefined as never })],
    })
      .compile()
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(IggyConfigError);
    expect(String(error)).toMatch(/IggyModule got undefined for its options: the forRootAsync factory/);
  });

  it('builds no connector when the factory fails (nothing left listening or locking a data dir)', async () => {
    const connect = jest.spyOn(EmbeddedConnector.prototype, 'connect').mockResolvedValue();
    try {
      const error = await Test.createTestingModule({
        imports: [
          IggyModule.forRootAsync({
            useFactory: async () => {
              throw new Error('vault down');
            },
          }),
        ],
      })
        .compile()
        .catch((err: unknown) => err);
      expect(String(error)).toBe('Error: vault down');
      await new Promise((resolve) => setTimeout(resolve, 100)); // Nest goes on with the other providers
      expect(connect).not.toHaveBeenCalled();
    } finally {
      connect.mockRestore();
    }
  });
});

/** An embedded connector that counts what happens to it. */
class CountingConnector extends EmbeddedConnector {
  connects = 0;
  shutdowns = 0;
  label2 = '';
  override async connect(config: Parameters<EmbeddedConnector['connect']>[0]): Promise<void> {
    this.connects++;
    await super.connect(config);
  }
  override async shutdown(): Promise<void> {
    this.shutdowns++;
    await super.shutdown();
  }
}

const LABEL = Symbol('LABEL');
@Global()
@Module({ providers: [{ provide: LABEL, useValue: 'from-di' }], exports: [LABEL] })
class LabelModule {}

@Injectable()
class InjectedConnector extends CountingConnector {
  constructor(@Inject(LABEL) label: string) {
    super();
    this.label2 = label;
  }
}

describe('custom connector providers', () => {
  it('useValue: uses that instance, connects it and shuts it down', async () => {
    const mine = new CountingConnector();
    const moduleRef = await boot([IggyModule.forRoot(memoryConfig({ connector: { useValue: mine } }))]);
    expect(moduleRef.get(IGGY_CONNECTOR)).toBe(mine);
    expect(mine.connects).toBe(1);
    await moduleRef.close();
    app = undefined;
    expect(mine.shutdowns).toBe(1);
  });

  it('useValue: an instance already connected is neither connected again nor shut down', async () => {
    const mine = new CountingConnector();
    await mine.connect(memoryConfig() as never);
    const moduleRef = await boot([IggyModule.forRoot(memoryConfig({ connector: { useValue: mine } }))]);
    await moduleRef.close();
    app = undefined;
    expect([mine.connects, mine.shutdowns, mine.isConnected()]).toEqual([1, 0, true]);
    await mine.shutdown();
  });

  it('useClass: built with its dependencies resolved', async () => {
    const moduleRef = await boot([
      LabelModule,
      IggyModule.forRoot(memoryConfig({ connector: { useClass: InjectedConnector } })),
    ]);
    const connector = moduleRef.get<InjectedConnector>(IGGY_CONNECTOR);
    expect(connector).toBeInstanceOf(InjectedConnector);
    expect([connector.label2, connector.connects, connector.isConnected()]).toEqual(['from-di', 1, true]);
  });

  it('useFactory + inject (forRootAsync too)', async () => {
    let seen: unknown;
    const moduleRef = await boot([
      LabelModule,
      IggyModule.forRootAsync({
        useFactory: () =>
          memoryConfig({
            connector: {
              useFactory: (label: string) => {
                seen = label;
                return new CountingConnector();
              },
              inject: [LABEL],
            },
          }),
      }),
    ]);
    expect(seen).toBe('from-di');
    expect(moduleRef.get(IGGY_CONNECTOR)).toBeInstanceOf(CountingConnector);
  });

  it('rejects something that is not a connector', async () => {
    const error = await Test.createTestingModule({
      imports: [IggyModule.forRoot(memoryConfig({ connector: { useValue: {} as IggyConnector } }))],
    })
      .compile()
      .catch((err: unknown) => err);
    expect(String(error)).toMatch(/did not produce an IggyConnector/);
  });
});
