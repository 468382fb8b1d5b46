import type { OutgoingMessage } from '../protocol/messages/message-batch.js';
import { uuidToMessageId } from '../protocol/messages/message-id.js';
import { ConnectorError } from './connector-error.js';
import type { PublishRequest } from './publish-request.js';

/** Messages bound for one (stream, topic, partition key): one send, one partition, in order. */
export interface PublishGroup {
  stream: string;
  topic: string;
  key: string;
  messages: OutgoingMessage[];
}

/** Where a request without a stream or topic goes. */
export interface PublishDefaults {
  streamName: string;
  topicName: string;
}

/** The message a request becomes: the event id (a UUID) is the Iggy message id. */
export function toOutgoingMessage(request: PublishRequest): OutgoingMessage {
  let id: bigint;
  try {
    id = uuidToMessageId(request.eventId);
  } catch (err) {
    throw new ConnectorError('Publish', `eventId must be a UUID, got '${request.eventId}'`, { cause: err });
  }
  const keyBytes = Buffer.byteLength(request.partitionKey ?? '', 'utf8');
  if (keyBytes === 0 || keyBytes > 255) {
    throw new ConnectorError(
      'Publish',
      `partition key must be 1..255 bytes of UTF-8, got ${keyBytes} (event ${request.eventId})`,
    );
  }
  return request.headers.length > 0
    ? { id, payload: request.payload, headers: request.headers }
    : { id, payload: request.payload };
}

/** Groups requests by (stream, topic, key), keeping the order of requests within each group. */
export function groupPublishRequests(
  requests: readonly PublishRequest[],
  defaults: PublishDefaults,
): PublishGroup[] {
  const groups = new Map<string, PublishGroup>();
  for (const request of requests) {
    const stream = request.stream ?? defaults.streamName;
    const topic = request.topic ?? defaults.topicName;
    const message = toOutgoingMessage(request);
    const id = `${stream.length}:${stream}${topic.length}:${topic}${request.partitionKey}`;
    let group = groups.get(id);
    if (!group) {
      group = { stream, topic, key: request.partitionKey, messages: [] };
      groups.set(id, group);
    }
    group.messages.push(message);
  }
  return [...groups.values()];
}
