/** Where a message came from, so an error names what a person has to look at. */
export interface MessageLocation {
  stream: string;
  topic: string;
  partition: number;
  offset: bigint;
}

function at(location: MessageLocation | undefined): string {
  if (!location) return '';
  const { stream, topic, partition, offset } = location;
  return ` (stream '${stream}', topic '${topic}', partition ${partition}, offset ${offset})`;
}

/** What went wrong turning a value into bytes or back. */
export type SerializationErrorKind = 'Serialize' | 'Deserialize' | 'UnknownContentType';

/**
 * A payload that could not be serialized, decoded, or whose content type has no serializer.
 * When it concerns a received message, `stream`/`topic`/`partition`/`offset` say which one.
 */
export class SerializationError extends Error {
  override readonly name = 'SerializationError';
  readonly stream: string | undefined;
  readonly topic: string | undefined;
  readonly partition: number | undefined;
  readonly offset: bigint | undefined;
  readonly contentType: string | undefined;

  constructor(
    readonly kind: SerializationErrorKind,
    message: string,
    options: { cause?: unknown; contentType?: string; location?: MessageLocation } = {},
  ) {
    super(
      `${message}${at(options.location)}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.contentType = options.contentType;
    this.stream = options.location?.stream;
    this.topic = options.location?.topic;
    this.partition = options.location?.partition;
    this.offset = options.location?.offset;
  }
}

/**
 * An envelope (or a tenant id, or an envelope's headers) that breaks the rules: `field` names the
 * culprit (`tenantId`, `version`, `headers.trace`, header `event_type`...).
 */
export class EnvelopeValidationError extends Error {
  override readonly name = 'EnvelopeValidationError';
  readonly stream: string | undefined;
  readonly topic: string | undefined;
  readonly partition: number | undefined;
  readonly offset: bigint | undefined;

  constructor(
    readonly field: string,
    readonly reason: string,
    location?: MessageLocation,
  ) {
    super(`envelope ${field}: ${reason}${at(location)}`);
    this.stream = location?.stream;
    this.topic = location?.topic;
    this.partition = location?.partition;
    this.offset = location?.offset;
  }
}
