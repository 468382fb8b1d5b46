import { Packr } from 'msgpackr';
import { SerializationError } from './event-errors.js';
import type { Serializer } from './serializer.js';
import { describeError } from '../common/error-text.js';

const CONTENT_TYPE = 'application/msgpack';

/**
 * MessagePack via msgpackr, in plain (record-free) MessagePack any other library reads. Unlike JSON it
 * keeps `Date` (timestamp extension), `bigint` up to 64 bits (int64/uint64 decode as `bigint`),
 * `undefined` and `Buffer`/`Uint8Array` (bin, read back as `Buffer`). A `Map` is written as a map and
 * read back as a plain object (plain objects are maps too), a `Set` as an array.
 */
export class MsgpackSerializer implements Serializer {
  readonly format = 'msgpack';
  readonly contentType = CONTENT_TYPE;
  private readonly packr = new Packr({ useRecords: false, int64AsType: 'bigint' });

  serialize(value: unknown): Buffer {
    try {
      return this.packr.pack(value);
    } catch (err) {
      throw new SerializationError(
        'Serialize',
        `MessagePack cannot serialize the payload: ${describeError(err)}`,
        {
          cause: err,
          contentType: CONTENT_TYPE,
        },
      );
    }
  }

  deserialize(bytes: Buffer): unknown {
    try {
      return this.packr.unpack(bytes);
    } catch (err) {
      throw new SerializationError('Deserialize', `MessagePack payload is malformed: ${describeError(err)}`, {
        cause: err,
        contentType: CONTENT_TYPE,
      });
    }
  }
}
