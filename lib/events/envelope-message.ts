import type { ReceivedMessage } from '../connectors/message-subscriber.js';
import { PublishRequest } from '../connectors/publish-request.js';
import type { EventEnvelope } from './event-envelope.js';
import { SerializationError, errorText } from './event-errors.js';
import { encodeEnvelopeHeaders, locationOf, readEventMeta, type EventMeta } from './envelope-headers.js';
import { validateEnvelope } from './envelope-validation.js';
import { normalizeContentType, type Serializer } from './serializer.js';
import { SerializerRegistry } from './serializer-registry.js';

/** Where to publish: a topic of a stream. */
export interface MessageTarget {
  stream: string;
  topic: string;
}

/** A topic of the connector's default stream (`ConnectorConfig.streamName`). */
export interface TopicTarget {
  topic: string;
}

/**
 * The message for an envelope: partition key = tenant id (one tenant, one partition, one order),
 * Iggy message id from `envelope.id`, payload = `serializer.serialize(envelope.payload)`, metadata in
 * headers (see `EnvelopeHeader`). Throws `EnvelopeValidationError` or `SerializationError`.
 */
export function envelopeToMessage(
  envelope: EventEnvelope,
  serializer: Serializer,
  target?: MessageTarget | TopicTarget,
): PublishRequest {
  return validEnvelopeToMessage(validateEnvelope(envelope), serializer, target);
}

/**
 * `envelopeToMessage` for an envelope that `createEnvelope` or `validateEnvelope` has just returned:
 * not checked again (one validation per boundary). Throws `SerializationError`.
 */
export function validEnvelopeToMessage(
  valid: EventEnvelope,
  serializer: Serializer,
  target?: MessageTarget | TopicTarget,
): PublishRequest {
  let payload: Buffer;
  try {
    payload = serializer.serialize(valid.payload);
  } catch (err) {
    if (err instanceof SerializationError) throw err;
    throw new SerializationError(
      'Serialize',
      `${serializer.format} serializer failed on event ${valid.id} (${valid.type}): ${errorText(err)}`,
      {
        cause: err,
        contentType: serializer.contentType,
      },
    );
  }
  const { tenantId, id } = valid;
  const request = !target
    ? PublishRequest.simple(tenantId, payload, id)
    : 'stream' in target
      ? PublishRequest.new(target.stream, target.topic, tenantId, payload, id)
      : PublishRequest.toTopic(target.topic, tenantId, payload, id);
  return request.withEncodedHeaders(encodeEnvelopeHeaders(valid, serializer.contentType));
}

/**
 * The envelope a message carries: metadata from its headers (`readEventMeta`), payload decoded by the
 * serializer its `content_type` names (the registry's default when it names none). `T` is not checked.
 * Throws `EnvelopeValidationError` or `SerializationError`, both naming stream, topic, partition, offset.
 */
export function messageToEnvelope<T = unknown>(
  received: ReceivedMessage,
  serializers: SerializerRegistry | Serializer = defaultRegistry(),
): EventEnvelope<T> {
  return decodeEnvelope<T>(received, readEventMeta(received), serializers);
}

/**
 * `messageToEnvelope` for a message whose headers were already read (`meta` = `readEventMeta(received)`):
 * decodes the payload only. Throws `SerializationError` naming stream, topic, partition, offset.
 */
export function decodeEnvelope<T = unknown>(
  received: ReceivedMessage,
  meta: EventMeta,
  serializers: SerializerRegistry | Serializer = defaultRegistry(),
): EventEnvelope<T> {
  const serializer = pickSerializer(serializers, meta.contentType, received);
  let payload: unknown;
  try {
    payload = serializer.deserialize(received.payload);
  } catch (err) {
    const kind = err instanceof SerializationError ? err.kind : 'Deserialize';
    const reason =
      err instanceof SerializationError
        ? err.message
        : `${serializer.format} serializer failed: ${errorText(err)}`;
    throw new SerializationError(kind, `event ${meta.id} (${meta.type}): ${reason}`, {
      cause: err,
      contentType: serializer.contentType,
      location: locationOf(received),
    });
  }
  // Spelled out rather than `{ contentType, ...rest }`: V8 copies a rest object slowly, and this runs per message.
  const envelope: EventEnvelope<T> = {
    id: meta.id,
    tenantId: meta.tenantId,
    type: meta.type,
    version: meta.version,
    occurredAt: meta.occurredAt,
    headers: meta.headers,
  } as EventEnvelope<T>;
  if ('actorId' in meta) envelope.actorId = meta.actorId;
  if ('correlationId' in meta) envelope.correlationId = meta.correlationId;
  if ('causationId' in meta) envelope.causationId = meta.causationId;
  envelope.payload = payload as T;
  return envelope;
}

/** The registry's serializer for `contentType`, or the one serializer given when it matches. */
function pickSerializer(
  serializers: SerializerRegistry | Serializer,
  contentType: string | undefined,
  received: ReceivedMessage,
): Serializer {
  const registry = serializers instanceof SerializerRegistry ? serializers : undefined;
  if (contentType === undefined) return registry ? registry.default : (serializers as Serializer);
  const found = registry
    ? registry.find(contentType)
    : normalizeContentType(contentType) === normalizeContentType((serializers as Serializer).contentType)
      ? (serializers as Serializer)
      : undefined;
  if (!found) {
    throw new SerializationError('UnknownContentType', `no serializer for content type '${contentType}'`, {
      contentType,
      location: locationOf(received),
    });
  }
  return found;
}

let shared: SerializerRegistry | undefined;
function defaultRegistry(): SerializerRegistry {
  return (shared ??= new SerializerRegistry());
}
