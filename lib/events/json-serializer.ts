import { isUtf8 } from 'node:buffer';
import { SerializationError } from './event-errors.js';
import type { Serializer } from './serializer.js';
import { describeError } from '../common/error-text.js';

const CONTENT_TYPE = 'application/json';

/**
 * UTF-8 JSON, via `JSON.stringify`/`JSON.parse` and nothing more (it is the hot path). JSON's limits
 * apply: a `Date` arrives as its ISO string, `undefined` properties vanish, and a `bigint`, a cycle or
 * a top-level `undefined` cannot be serialized (`SerializationError` of kind `Serialize`). Use the
 * MessagePack serializer when dates and bigints must survive.
 */
export class JsonSerializer implements Serializer {
  readonly format = 'json';
  readonly contentType = CONTENT_TYPE;

  serialize(value: unknown): Buffer {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (err) {
      throw new SerializationError('Serialize', `JSON cannot serialize the payload: ${describeError(err)}`, {
        cause: err,
        contentType: CONTENT_TYPE,
      });
    }
    if (text === undefined) {
      throw new SerializationError('Serialize', `JSON cannot represent a ${typeof value} payload`, {
        contentType: CONTENT_TYPE,
      });
    }
    return Buffer.from(text, 'utf8');
  }

  deserialize(bytes: Buffer): unknown {
    if (!isUtf8(bytes)) {
      throw new SerializationError('Deserialize', 'JSON payload is not valid UTF-8', {
        contentType: CONTENT_TYPE,
      });
    }
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw new SerializationError('Deserialize', `JSON payload is malformed: ${describeError(err)}`, {
        cause: err,
        contentType: CONTENT_TYPE,
      });
    }
  }
}
