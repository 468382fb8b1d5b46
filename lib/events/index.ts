export { createEnvelope, type CreateEnvelopeInput, type EventEnvelope } from './event-envelope.js';
export {
  EnvelopeValidationError,
  SerializationError,
  type MessageLocation,
  type SerializationErrorKind,
} from './event-errors.js';
export { ENVELOPE_HEADER_PREFIX, validateEnvelope } from './envelope-validation.js';
export { EnvelopeHeader, envelopeHeaders, readEventMeta, type EventMeta } from './envelope-headers.js';
export {
  envelopeToMessage,
  messageToEnvelope,
  type MessageTarget,
  type TopicTarget,
} from './envelope-message.js';
export { normalizeContentType, type SerializationFormat, type Serializer } from './serializer.js';
export { JsonSerializer } from './json-serializer.js';
export { MsgpackSerializer } from './msgpack-serializer.js';
export { SerializerRegistry } from './serializer-registry.js';
export {
  MAX_TENANT_ID_BYTES,
  partitionForTenant,
  tenantPartitionKey,
  validateTenantId,
} from './tenant-partitioner.js';
