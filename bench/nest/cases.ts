/*
 * Every case `bench:nest` measures, with its configuration: the one place to adjust when an option
 * changes (a new `publish`/batching option of `IggyModule.forRoot`, say). Iggy cases give only what a
 * user must give; the listeners' ports are `0` (ephemeral) instead of the fixed defaults only so a run
 * never collides with another process on this machine.
 */
import { Transport, type ClientOptions, type MicroserviceOptions } from '@nestjs/microservices';
import type { ConnectorConfigInput, IggyModuleOptions } from '../../lib/index.js';

export const CASE_IDS = [
  'embedded-default',
  'embedded-fsync-always',
  'remote-iggy-embedded',
  'remote-iggy-server',
  'connector',
  'nats',
  'redis',
  'rabbitmq',
] as const;
export type CaseId = (typeof CASE_IDS)[number];

/** The process a case talks to, started by the bench (or, for `iggy-server`, named by IGGY_SERVER_ADDR). */
export type BrokerKind =
  'in-process' | 'iggy-embedded' | 'iggy-server' | 'nats-server' | 'redis-server' | 'rabbitmq-server';

/** Where this run's brokers are, and the case's own data dir; handed to the child that runs one case. */
export interface Endpoints {
  /** A fresh, empty directory of this child's run. */
  dataDir: string;
  /** `host:port` of the broker the case needs (absent for in-process cases). */
  address?: string;
  username?: string;
  password?: string;
  /** A stream name of this run alone (on a shared real server). */
  streamName?: string;
}

interface CaseBase {
  id: CaseId;
  label: string;
  broker: BrokerKind;
  /** Acknowledged events survive a restart of the broker. */
  persistent: boolean;
}

/** `IggyModule.forRoot(options)`, `IggyClientProxy.emit` → `@IggyEventHandler`. */
export interface IggyNestCase extends CaseBase {
  drive: 'iggy-nest';
  options(at: Endpoints): IggyModuleOptions;
}

/** The same handler on `connector.publish` → `subscribeGroup` → commit, no Nest. */
export interface ConnectorCase extends CaseBase {
  drive: 'connector';
  config(at: Endpoints): ConnectorConfigInput;
}

/** A Nest transport of `@nestjs/microservices`: `ClientProxy.emit` → `@EventPattern`. */
export interface NestTransportCase extends CaseBase {
  drive: 'nest-transport';
  server(at: Endpoints): MicroserviceOptions;
  client(at: Endpoints): ClientOptions;
}

export type BenchCase = IggyNestCase | ConnectorCase | NestTransportCase;

const embeddedDefault = (at: Endpoints): IggyModuleOptions => ({
  embedded: { dataDir: at.dataDir, tcpPort: 0, httpPort: 0 },
});

const hostAndPort = (address: string | undefined): { host: string; port: number } => {
  const [host, port] = (address ?? '').split(/:(?=\d+$)/);
  return { host: host!, port: Number(port) };
};

const RABBIT_QUEUE = { queue: 'bench', queueOptions: { durable: true }, persistent: true };

export const CASES: Record<CaseId, BenchCase> = {
  'embedded-default': {
    id: 'embedded-default',
    label: 'iggy embedded default',
    broker: 'in-process',
    persistent: true,
    drive: 'iggy-nest',
    options: embeddedDefault,
  },
  'embedded-fsync-always': {
    id: 'embedded-fsync-always',
    label: 'iggy embedded fsync always',
    broker: 'in-process',
    persistent: true,
    drive: 'iggy-nest',
    options: (at) => ({ embedded: { ...embeddedDefault(at).embedded, fsync: { kind: 'always' } } }),
  },
  'remote-iggy-embedded': {
    id: 'remote-iggy-embedded',
    label: 'iggy remote → iggy-embedded',
    broker: 'iggy-embedded',
    persistent: true,
    drive: 'iggy-nest',
    options: (at) => ({ mode: 'remote', remote: { addresses: [at.address!] } }),
  },
  'remote-iggy-server': {
    id: 'remote-iggy-server',
    label: 'iggy remote → iggy-server',
    broker: 'iggy-server',
    persistent: true,
    drive: 'iggy-nest',
    options: (at) => ({
      mode: 'remote',
      streamName: at.streamName,
      remote: { addresses: [at.address!], username: at.username, password: at.password },
    }),
  },
  connector: {
    id: 'connector',
    label: 'connector alone, embedded',
    broker: 'in-process',
    persistent: true,
    drive: 'connector',
    config: embeddedDefault,
  },
  nats: {
    id: 'nats',
    label: 'Nest NATS',
    broker: 'nats-server',
    persistent: false,
    drive: 'nest-transport',
    server: (at) => ({ transport: Transport.NATS, options: { servers: [`nats://${at.address}`] } }),
    client: (at) => ({ transport: Transport.NATS, options: { servers: [`nats://${at.address}`] } }),
  },
  redis: {
    id: 'redis',
    label: 'Nest Redis',
    broker: 'redis-server',
    persistent: false,
    drive: 'nest-transport',
    server: (at) => ({ transport: Transport.REDIS, options: hostAndPort(at.address) }),
    client: (at) => ({ transport: Transport.REDIS, options: hostAndPort(at.address) }),
  },
  rabbitmq: {
    id: 'rabbitmq',
    label: 'Nest RabbitMQ, durable',
    broker: 'rabbitmq-server',
    persistent: true,
    drive: 'nest-transport',
    server: (at) => ({
      transport: Transport.RMQ,
      options: { urls: [`amqp://${at.address}`], ...RABBIT_QUEUE },
    }),
    client: (at) => ({
      transport: Transport.RMQ,
      options: { urls: [`amqp://${at.address}`], ...RABBIT_QUEUE },
    }),
  },
};
