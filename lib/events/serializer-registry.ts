import { SerializationError } from './event-errors.js';
import { JsonSerializer } from './json-serializer.js';
import { MsgpackSerializer } from './msgpack-serializer.js';
import { normalizeContentType, type Serializer } from './serializer.js';

/**
 * Serializers by content type, so a consumer decodes whatever format each message says it carries.
 * Starts with JSON (the default) and MessagePack; `register` adds or replaces one of your own.
 */
export class SerializerRegistry {
  private readonly byContentType = new Map<string, Serializer>();
  private defaultSerializer: Serializer;

  constructor(serializers: readonly Serializer[] = [new JsonSerializer(), new MsgpackSerializer()]) {
    for (const s of serializers) this.register(s);
    const first = serializers[0];
    if (!first)
      throw new SerializationError(
        'UnknownContentType',
        'a serializer registry needs at least one serializer',
      );
    this.defaultSerializer = first;
  }

  /** Adds (or replaces, for the same content type) a serializer; `asDefault` also makes it the default. */
  register(serializer: Serializer, options: { asDefault?: boolean } = {}): this {
    this.byContentType.set(normalizeContentType(serializer.contentType), serializer);
    if (options.asDefault) this.defaultSerializer = serializer;
    return this;
  }

  /** The serializer used to publish, and to read messages that carry no `content_type` header. */
  get default(): Serializer {
    return this.defaultSerializer;
  }

  find(contentType: string): Serializer | undefined {
    return this.byContentType.get(normalizeContentType(contentType));
  }

  /** The serializer for a content type; throws `SerializationError` (`UnknownContentType`) when none. */
  get(contentType: string): Serializer {
    const serializer = this.find(contentType);
    if (!serializer) {
      throw new SerializationError('UnknownContentType', `no serializer for content type '${contentType}'`, {
        contentType,
      });
    }
    return serializer;
  }

  /** The first serializer registered under a format name (`json`, `msgpack`, ...). */
  byFormat(format: string): Serializer | undefined {
    for (const s of this.byContentType.values()) if (s.format === format) return s;
    return undefined;
  }

  contentTypes(): string[] {
    return [...this.byContentType.keys()];
  }
}
