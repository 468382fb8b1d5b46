import type { ConnectorConfigInput } from '../../connectors/connector-config.js';
import type { IggyConnector } from '../../connectors/iggy-connector.js';
import type { SerializerRegistry } from '../../events/serializer-registry.js';
import type { SerializationFormat } from '../../events/serializer.js';
import type { ProducerTelemetry } from '../../observability/producer-telemetry.js';

/** Options of `IggyClientProxy` (the module fills them from its own). */
export interface IggyClientProxyOptions {
  /**
   * A connector instance (shared: not connected nor shut down by the client), or a config (the client makes
   * its own connector, connects it and ensures the topology on `connect`, shuts it down on `close`). Left
   * out: the app's `IggyModule` connector, with the module's options under these (`ClientsModule.register`).
   */
  connector?: IggyConnector | ConnectorConfigInput;
  /** Default: the connector's `streamName`. */
  stream?: string;
  /** Where events and requests go (default: the connector's `topicName`). */
  topic?: string;
  /** Payload format (default `json`). */
  serialization?: SerializationFormat;
  /** Serializers by content type, to read replies (default JSON + MessagePack). */
  serializers?: SerializerRegistry;
  /** The tenant of data that names none; unset = `IggyMissingTenantError`. */
  defaultTenantId?: string;
  /** Reply topic (default `replies`). */
  replyTopic?: string;
  /** Partitions of the reply topic when the client creates it (default 16). */
  replyPartitions?: number;
  /** How long `send` waits for a reply (default 5 s). */
  timeoutMs?: number;
  /** This instance's id: the partition key of its replies (default a random UUID). */
  instanceId?: string;
  /** Metrics and traces of what it publishes (the module's `IggyTelemetry`); none by default. */
  telemetry?: ProducerTelemetry;
}
