import type { ConnectorConfigInput } from '../../connectors/connector-config.js';
import type { IggyConnector } from '../../connectors/iggy-connector.js';
import type { StartFrom } from '../../connectors/message-subscriber.js';
import type { SerializerRegistry } from '../../events/serializer-registry.js';
import type { SerializationFormat } from '../../events/serializer.js';
import type { RetryOptions } from '../../consumer/retry-options.js';

/** Options of `IggyServer`; everything has a default. */
export interface IggyServerOptions {
  /**
   * A connector instance (shared: the server neither connects nor shuts it down), or a config (the server
   * makes its own connector for `mode`, connects it and ensures the topology on `listen`, shuts it down on
   * `close`). Left out: the module's connector, through `server.attach(app)` or `IggyServer.fromApp(app)`.
   */
  connector?: IggyConnector | ConnectorConfigInput;
  /** The consumer group this server reads in (default `nestjs-iggy-server`). Instances of one service share it. */
  group?: string;
  /** Default: the connector's `streamName`. */
  stream?: string;
  /** Default: the connector's `topicName` (the domain topic). */
  topic?: string;
  /** Where the group starts when it has no stored offset yet (default `committed`: the beginning). */
  startFrom?: StartFrom;
  /** Partitions handled in parallel (default: the module's `handlers.concurrency`, else 4). */
  concurrency?: number;
  /** Messages fetched per poll (default 100). */
  batchSize?: number;
  /** Wait after an empty poll (default 20 ms). */
  pollIntervalMs?: number;
  /**
   * How long `close()` may take in all: handlers in flight, the last commits, leaving the group (default:
   * the module's `handlers.shutdownTimeoutMs`, else 10 s).
   */
  shutdownTimeoutMs?: number;
  /** Commit a partition's handled offset every this many messages (default: the module's `handlers.commitEvery`, else 100). */
  commitEvery?: number;
  /** ...and at most this long after a message was handled (default: the module's `handlers.commitIntervalMs`, else 100 ms). */
  commitIntervalMs?: number;
  /** Format of replies to `send` (default: the module's `serialization`, else `json`). */
  serialization?: SerializationFormat;
  /** Payload decoders by content type (default JSON + MessagePack). */
  serializers?: SerializerRegistry;
}

/** What `attach(app)` reads of the module's options (`IGGY_OPTIONS`), the defaults behind `IggyServerOptions`. */
export interface IggyServerModuleDefaults {
  retry: RetryOptions;
  handlers: {
    concurrency: number;
    shutdownTimeoutMs: number;
    commitEvery?: number;
    commitIntervalMs?: number;
  };
  serialization: SerializationFormat;
}
