import type { UserHeaders } from '../protocol/primitives/user-headers.js';

/**
 * One message to publish. The partition key (the tenant id, for domain events) picks the partition:
 * one key, one partition, one order. The Iggy message id is derived from `eventId` (a UUID) so the id
 * survives the trip.
 */
export class PublishRequest {
  private constructor(
    /** Stream name; `undefined` = the connector's default stream. */
    readonly stream: string | undefined,
    /** Topic name; `undefined` = the connector's default topic. */
    readonly topic: string | undefined,
    readonly partitionKey: string,
    readonly payload: Buffer,
    /** A UUID; becomes the Iggy message id. */
    readonly eventId: string,
    readonly headers: UserHeaders = [],
  ) {}

  static new(
    stream: string,
    topic: string,
    partitionKey: string,
    payload: Buffer,
    eventId: string,
  ): PublishRequest {
    return new PublishRequest(stream, topic, partitionKey, payload, eventId);
  }

  /** To `topic` of the connector's default stream (`ConnectorConfig.streamName`). */
  static toTopic(topic: string, partitionKey: string, payload: Buffer, eventId: string): PublishRequest {
    return new PublishRequest(undefined, topic, partitionKey, payload, eventId);
  }

  /** To the default stream and topic. */
  static simple(partitionKey: string, payload: Buffer, eventId: string): PublishRequest {
    return new PublishRequest(undefined, undefined, partitionKey, payload, eventId);
  }

  withHeaders(headers: UserHeaders): PublishRequest {
    return new PublishRequest(
      this.stream,
      this.topic,
      this.partitionKey,
      this.payload,
      this.eventId,
      headers,
    );
  }
}
