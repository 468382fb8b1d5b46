import { measureMessage, type OutgoingMessage } from '../protocol/messages/message-batch.js';
import { MessageLayout } from '../protocol/messages/message-layout.js';
import { uuidToMessageId } from '../protocol/messages/message-id.js';
import { ConnectorError } from './connector-error.js';
import type { PublishRequest } from './publish-request.js';

/** Where a request without a stream or topic goes. */
export interface PublishDefaults {
  streamName: string;
  topicName: string;
}

/** One message accepted for publishing: checked and measured once, encoded once in its batch. */
export interface PendingMessage<Owner> {
  stream: string;
  topic: string;
  key: string;
  message: OutgoingMessage;
  /** Encoded user-headers size. */
  headerBytes: number;
  /** Encoded size of the whole message. */
  bytes: number;
  /** Whose publish it is (settled when the message's batch is). */
  owner: Owner;
}

/** Messages bound for one partition, in publish order, within the batch limits. */
export interface PartitionBatch<Owner> {
  partition: number;
  entries: PendingMessage<Owner>[];
  bytes: number;
}

export interface BatchLimits {
  maxBatchMessages: number;
  maxBatchBytes: number;
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
  const encoded = request.encodedHeaders;
  if (encoded !== undefined) return { id, payload: request.payload, encodedHeaders: encoded };
  const headers = request.headers;
  return headers.length > 0 ? { id, payload: request.payload, headers } : { id, payload: request.payload };
}

/**
 * Checks and measures every request (throws `ConnectorError('Publish')` for the first bad one, so a bad
 * message never shares, and fails, a batch with good ones).
 */
export function preparePublishes<Owner>(
  requests: readonly PublishRequest[],
  defaults: PublishDefaults,
  owner: Owner,
): PendingMessage<Owner>[] {
  const out = new Array<PendingMessage<Owner>>(requests.length);
  for (let i = 0; i < requests.length; i++) {
    const request = requests[i]!;
    const message = toOutgoingMessage(request);
    let headerBytes: number;
    try {
      headerBytes = measureMessage(message, i);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new ConnectorError('Publish', `event ${request.eventId}: ${reason}`, {
        cause: err,
        iggyCode: (err as { iggyCode?: number }).iggyCode,
      });
    }
    out[i] = {
      stream: request.stream ?? defaults.streamName,
      topic: request.topic ?? defaults.topicName,
      key: request.partitionKey,
      message,
      headerBytes,
      bytes: MessageLayout.headerBytes + message.payload.length + headerBytes,
      owner,
    };
  }
  return out;
}

/**
 * Splits one topic's messages into batches: one partition each (`partitionOf` their key), in publish
 * order, cut at `maxBatchMessages` and `maxBatchBytes` (a message larger than that goes alone).
 * Batches come out in the order they were opened, so each partition's batches keep their order.
 */
export function partitionBatches<Owner>(
  entries: readonly PendingMessage<Owner>[],
  partitionOf: (key: string) => number,
  limits: BatchLimits,
): PartitionBatch<Owner>[] {
  const open = new Map<number, PartitionBatch<Owner>>();
  const out: PartitionBatch<Owner>[] = [];
  for (const entry of entries) {
    const partition = partitionOf(entry.key);
    let batch = open.get(partition);
    if (
      batch &&
      (batch.entries.length >= limits.maxBatchMessages || batch.bytes + entry.bytes > limits.maxBatchBytes)
    ) {
      batch = undefined;
    }
    if (!batch) {
      batch = { partition, entries: [], bytes: 0 };
      open.set(partition, batch);
      out.push(batch);
    }
    batch.entries.push(entry);
    batch.bytes += entry.bytes;
  }
  return out;
}
