import type { FsyncMode } from '../broker/storage/partition-store.js';
import type { IggyReconnectOptions } from '../client/options.js';

export type ConnectorMode = 'embedded' | 'remote';

/** The in-process broker. */
export interface EmbeddedConfig {
  /** Where the broker keeps its data (default `./data/iggy`). */
  dataDir: string;
  /** TCP listener for the `iggy` CLI and other services; `0` = ephemeral, `null` = no listener (default 8090). */
  tcpPort: number | null;
  /**
   * HTTP stats listener; `0` = ephemeral, `null` = none (default: none, so it never takes Nest's
   * `app.listen(3000)`; the real server's port is 3000, the `iggy-embedded` CLI's default).
   */
  httpPort: number | null;
  /** `false` keeps everything in memory (default true). */
  persistent: boolean;
  /** Interface the TCP listener binds to (default 127.0.0.1). */
  host: string;
  /** Interface the HTTP listener binds to (default 127.0.0.1, whatever `host` is). */
  httpHost?: string;
  fsync: FsyncMode;
  /** The root user's name (default `iggy`; when set, applied at every start). */
  rootUsername?: string;
  /**
   * The root user's password, applied at every start when set. Unset: random on first boot, kept after.
   * The connector itself needs none (its sessions are in-process); set it to log in over TCP (the `iggy`
   * CLI, other services).
   */
  rootPassword?: string;
  /** Listen off loopback although root's password is the default `iggy` (default false: refused). */
  allowDefaultRootPassword?: boolean;
}

/** A real Iggy server. */
export interface RemoteConfig {
  /** `host:port`, tried in order (default `['127.0.0.1:8090']`). */
  addresses: string[];
  /**
   * `tcp` (default): the binary protocol. `http`: the server's HTTP API (addresses then name its port,
   * e.g. `127.0.0.1:3000`); it has no consumer groups (`subscribeGroup` fails), the rest works alike.
   */
  protocol: 'tcp' | 'http';
  username: string;
  password: string;
  /** A personal access token; used instead of username/password when set. */
  token?: string;
  tlsEnabled: boolean;
  /** Server name checked against the certificate. */
  tlsDomain?: string;
  /** PEM file of the CA that signed the server's certificate. */
  tlsCaFile?: string;
  /** Default true. */
  tlsRejectUnauthorized?: boolean;
  /** Per-request timeout (default 30 s). */
  requestTimeoutMs?: number;
  /** Per address tried (default 10 s). */
  connectTimeoutMs?: number;
  /** Reconnection of every connection (default: on, backoff 200 ms doubling to 10 s, forever); `false` = off. */
  reconnect?: IggyReconnectOptions | false;
  /** Ping every connection this often (default 0 = never; set it when the server evicts idle clients). */
  heartbeatIntervalMs?: number;
  /**
   * How long a request waits for a lost connection to come back (default 2 s); past that it fails with
   * `Connection`, and so does every request until the connection is back. `Infinity` = up to
   * `requestTimeoutMs`.
   */
  offlineTimeoutMs?: number;
  /** @deprecated Use `publish.lingerMs` (this is used when that is not set). */
  lingerMs?: number;
}

/**
 * How publishes are batched and bounded (both connectors). Concurrent publishes to one partition are
 * coalesced into one append (embedded) or one SendMessages (remote) per batch; what is accepted and not
 * yet acknowledged is capped, and a publish that finds no room waits for it.
 */
export interface PublishConfig {
  /** How long a batch waits for company (default 0: the publishes of the same tick). */
  lingerMs: number;
  /** Most messages in one batch (default 1,000). */
  maxBatchMessages: number;
  /** Most encoded bytes in one batch (default 1 MiB; a larger message goes alone). */
  maxBatchBytes: number;
  /** Messages accepted and not yet acknowledged (queued or being sent) (default 20,000). */
  maxInFlightMessages: number;
  /** Encoded bytes accepted and not yet acknowledged (default 32 MiB). */
  maxInFlightBytes: number;
  /**
   * Messages waiting for room under those caps (default 20,000): beyond it, a publish fails at once
   * with `Backpressure` (a loop of emits nobody awaits must not grow the process without bound).
   */
  maxWaitingMessages: number;
  /** Their encoded bytes (default 32 MiB). */
  maxWaitingBytes: number;
  /**
   * How long a publish waits for room under those caps before it fails with `Backpressure`
   * (default 30 s; 0 = fail at once). Publishes are admitted in call order.
   */
  backpressureTimeoutMs: number;
}

/** The seeds' `ConnectorConfig`. */
export interface ConnectorConfig {
  mode: ConnectorMode;
  embedded: EmbeddedConfig;
  remote: RemoteConfig;
  /** Default stream (default `DEFAULT_STREAM_NAME`, `nestjs-iggy`: set your own). */
  streamName: string;
  /** Default topic (default `DEFAULT_TOPIC_NAME`, `domain`). */
  topicName: string;
  /** Partitions of the default topics (default 8). */
  partitions: number;
  publish: PublishConfig;
  /**
   * How long `shutdown()` waits for publishes in flight and subscriptions to close before it closes the
   * transport anyway, failing what is left (default 5 s).
   */
  shutdownTimeoutMs: number;
  /**
   * `connect` creates `streamName` and `topicName` (with `partitions`) when missing (default true); an
   * existing topic is never changed (a differing partition count raises a process warning). `false`
   * for servers where this user may not create streams or topics.
   */
  ensureTopology: boolean;
}

/** A config with any part left out. */
export type ConnectorConfigInput = Partial<Omit<ConnectorConfig, 'embedded' | 'remote' | 'publish'>> & {
  embedded?: Partial<EmbeddedConfig>;
  remote?: Partial<RemoteConfig>;
  publish?: Partial<PublishConfig>;
};

/**
 * The stream when none is configured: the one place this default lives. Set `streamName` (or
 * `IGGY_STREAM`) to your application's: two applications left on the default share one stream.
 */
export const DEFAULT_STREAM_NAME = 'nestjs-iggy';
/** The domain topic when none is configured. */
export const DEFAULT_TOPIC_NAME = 'domain';

/**
 * Where a message goes, and is read from, when nothing names its stream or topic: the connector's
 * configured `streamName` and `topicName`, or the defaults while it has no config.
 */
export function defaultDestination(connector: { readonly config?: ConnectorConfig }): {
  stream: string;
  topic: string;
} {
  return {
    stream: connector.config?.streamName ?? DEFAULT_STREAM_NAME,
    topic: connector.config?.topicName ?? DEFAULT_TOPIC_NAME,
  };
}

export const defaultEmbeddedConfig: EmbeddedConfig = {
  dataDir: './data/iggy',
  tcpPort: 8090,
  httpPort: null,
  persistent: true,
  host: '127.0.0.1',
  fsync: { kind: 'interval', ms: 100 },
};

export const defaultRemoteConfig: RemoteConfig = {
  addresses: ['127.0.0.1:8090'],
  protocol: 'tcp',
  username: 'iggy',
  password: 'iggy',
  tlsEnabled: false,
};

export const defaultPublishConfig: PublishConfig = {
  lingerMs: 0,
  maxBatchMessages: 1000,
  maxBatchBytes: 1024 * 1024,
  maxInFlightMessages: 20_000,
  maxInFlightBytes: 32 * 1024 * 1024,
  maxWaitingMessages: 20_000,
  maxWaitingBytes: 32 * 1024 * 1024,
  backpressureTimeoutMs: 30_000,
};

export const defaultShutdownTimeoutMs = 5_000;

/** Fills the defaults in. */
export function resolveConnectorConfig(input: ConnectorConfigInput = {}): ConnectorConfig {
  const remote = { ...defaultRemoteConfig, ...stripUndefined(input.remote) };
  const publish = { ...defaultPublishConfig, ...stripUndefined(input.publish) };
  if (input.publish?.lingerMs === undefined && remote.lingerMs !== undefined) {
    publish.lingerMs = remote.lingerMs;
  }
  return {
    mode: input.mode ?? 'embedded',
    streamName: input.streamName ?? DEFAULT_STREAM_NAME,
    topicName: input.topicName ?? DEFAULT_TOPIC_NAME,
    partitions: input.partitions ?? 8,
    ensureTopology: input.ensureTopology ?? true,
    embedded: { ...defaultEmbeddedConfig, ...stripUndefined(input.embedded) },
    remote,
    publish,
    shutdownTimeoutMs: input.shutdownTimeoutMs ?? defaultShutdownTimeoutMs,
  };
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
