/*
 * nestjs-iggy: the Nest layer (module, consumer runtime, transport, handlers, DLQ, replay, health, outbox, dashboard)
 * and the connector-layer types a Nest app uses. The connector layer alone is `nestjs-iggy/connector`; the broker `nestjs-iggy/broker`.
 */
export * from './module/index.js';
export * from './consumer/index.js';
export * from './transport/index.js';
export * from './handlers/index.js';
export * from './dlq/index.js';
export * from './replay/index.js';
export * from './health/index.js';
export * from './outbox/index.js';
export * from './observability/index.js';
export * from './dashboard/nest/index.js';

export {
  ConnectorError,
  DEFAULT_STREAM_NAME,
  DEFAULT_TOPIC_NAME,
  EmbeddedConnector,
  PublishRequest,
  RemoteConnector,
  isConnectorError,
  resolveConnectorConfig,
  type ConnectorConfig,
  type ConnectorConfigInput,
  type ConnectorErrorKind,
  type ConnectorMode,
  type EmbeddedConfig,
  type IggyConnector,
  type MessageSubscriber,
  type OffsetOwner,
  type PartitionLag,
  type ReceivedMessage,
  type RemoteConfig,
  type StartFrom,
  type SubscribeOptions,
  type TopicInfo,
  type TopicSpec,
} from './connectors/index.js';
export {
  EnvelopeHeader,
  EnvelopeValidationError,
  JsonSerializer,
  MsgpackSerializer,
  SerializationError,
  SerializerRegistry,
  createEnvelope,
  envelopeToMessage,
  messageToEnvelope,
  partitionForTenant,
  readEventMeta,
  type CreateEnvelopeInput,
  type EventEnvelope,
  type EventMeta,
  type SerializationFormat,
  type Serializer,
} from './events/index.js';
export {
  TopologyManager,
  healthCheck,
  resolveTopologyConfig,
  type TopicRole,
  type TopologyConfig,
  type TopologyConfigInput,
  type TopologyReport,
} from './topology/index.js';
