import {
  decodeUserHeaders,
  encodeUserHeaders,
  type UserHeaders,
} from '../protocol/primitives/user-headers.js';

/**
 * One message to publish. The partition key (the tenant id, for domain events) picks the partition:
 * one key, one partition, one order. The Iggy message id is derived from `eventId` (a UUID) so the id
 * survives the trip. User headers are given as objects (`withHeaders`) or already encoded
 * (`withEncodedHeaders`, what the event layer does: encoded once, copied into the batch as they are).
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
    private readonly userHeaders: UserHeaders | Buffer = [],
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

  /** The user headers (decoded, when they were given encoded). */
  get headers(): UserHeaders {
    return Buffer.isBuffer(this.userHeaders) ? decodeUserHeaders(this.userHeaders) : this.userHeaders;
  }

  /** The user headers as given encoded (`withEncodedHeaders`); `undefined` when given as objects. */
  get encodedHeaders(): Buffer | undefined {
    return Buffer.isBuffer(this.userHeaders) ? this.userHeaders : undefined;
  }

  withHeaders(headers: UserHeaders): PublishRequest {
    return this.with(headers);
  }

  /** With user headers already encoded (`encodeUserHeaders`, `encodeStringHeaders`); checked at publish. */
  withEncodedHeaders(headers: Buffer): PublishRequest {
    return this.with(headers);
  }

  /** With `headers` after the ones it has (kept encoded when they are). */
  withMoreHeaders(headers: UserHeaders): PublishRequest {
    const own = this.userHeaders;
    return this.with(
      Buffer.isBuffer(own) ? Buffer.concat([own, encodeUserHeaders(headers)]) : [...own, ...headers],
    );
  }

  private with(headers: UserHeaders | Buffer): PublishRequest {
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
