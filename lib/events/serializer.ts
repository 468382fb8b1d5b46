/** The built-in payload formats: JSON (the default) and MessagePack. */
export type SerializationFormat = 'json' | 'msgpack';

/**
 * Turns an event payload into bytes and back. `contentType` travels in the message's `content_type`
 * header, so a consumer picks the matching serializer without guessing. Implementations throw
 * `SerializationError` (anything else they throw is wrapped into one by the envelope functions).
 */
export interface Serializer {
  /** A short name: `json`, `msgpack`, or your own. */
  readonly format: SerializationFormat | (string & {});
  /** A media type, e.g. `application/json`. Matched case-insensitively, parameters ignored. */
  readonly contentType: string;
  serialize(value: unknown): Buffer;
  deserialize(bytes: Buffer): unknown;
}

/** `Application/JSON; charset=utf-8` → `application/json`. */
export function normalizeContentType(contentType: string): string {
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}
