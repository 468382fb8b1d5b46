/**
 * A Uint8Array on Buffer.prototype, as Node builds its own Buffers: an instance is a Buffer in every
 * respect (`Buffer.isBuffer`, methods, `subarray` gives Buffers), but creating one costs about a
 * quarter of `buffer.subarray()`, which matters when a poll makes a view per message.
 */
class BufferView extends Uint8Array {}
Object.setPrototypeOf(BufferView.prototype, Buffer.prototype);
Object.defineProperty(BufferView.prototype, 'constructor', {
  value: Buffer,
  writable: true,
  configurable: true,
});

/** `bytes.subarray(start, end)` for bounds already checked. */
export function bufferView(bytes: Buffer, start: number, end: number): Buffer {
  return new BufferView(bytes.buffer as ArrayBuffer, bytes.byteOffset + start, end - start) as Buffer;
}

/** A DataView over exactly `bytes` (its u32 reads and writes are inlined by V8; Buffer's bigint ones are slower). */
export function dataViewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
