import { Limits } from '../../protocol/limits.js';
import { MessageLayout } from '../../protocol/messages/message-layout.js';
import { StorageError } from './storage-error.js';

const HEADER = MessageLayout.headerBytes;

/**
 * Total length of the message whose header starts at `position`, from the header's own lengths;
 * `null` when the header does not fit in `bytes` or its lengths exceed the protocol limits.
 */
export function messageLength(bytes: Buffer, position: number): number | null {
  return lengthAt(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), position);
}

function lengthAt(view: DataView, position: number): number | null {
  if (position < 0 || view.byteLength - position < HEADER) return null;
  const payload = view.getUint32(position + MessageLayout.payloadLength, true);
  const headers = view.getUint32(position + MessageLayout.userHeadersLength, true);
  if (payload > Limits.maxMessagePayloadBytes || headers > Limits.maxUserHeadersBytes) return null;
  return HEADER + payload + headers;
}

/**
 * End position (exclusive, relative to the batch start) of each of the `count` messages in `batch`.
 * The messages must fill the batch exactly; nothing past the buffer is ever read.
 */
export function batchBoundaries(batch: Buffer, count: number): Uint32Array {
  if (!Number.isInteger(count) || count <= 0) {
    throw new StorageError('InvalidBatch', `a batch holds at least one message, got count ${count}`);
  }
  const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
  const ends = new Uint32Array(count);
  let position = 0;
  for (let i = 0; i < count; i++) {
    const length = lengthAt(view, position);
    if (length === null || length > batch.length - position) {
      throw new StorageError(
        'InvalidBatch',
        `message ${i} of ${count} at byte ${position} does not fit in the ${batch.length}-byte batch`,
        { position },
      );
    }
    position += length;
    ends[i] = position;
  }
  if (position !== batch.length) {
    throw new StorageError(
      'InvalidBatch',
      `${count} messages end at byte ${position}, but the batch is ${batch.length} bytes`,
      { position },
    );
  }
  return ends;
}
