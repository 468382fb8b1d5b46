/**
 * One message as the server stores and sends it: a 64-byte header, then the payload, then the
 * user headers. All integers little-endian.
 */
export const MessageLayout = {
  headerBytes: 64,
  checksum: 0, // u64: XXH3-64 (seed 0) of bytes 8..end of the message
  id: 8, // u128
  offset: 24, // u64, stamped by the server
  timestamp: 32, // u64 µs, stamped by the server
  originTimestamp: 40, // u64, set by the client
  userHeadersLength: 48, // u32
  payloadLength: 52, // u32
  reserved: 56, // u64, must be 0
} as const;

/** One entry of the index block of a send-messages request (and of a partition's `.index` file). */
export const IndexEntryLayout = {
  bytes: 16,
  offset: 0, // u32, relative offset (clients send 0)
  position: 4, // u32, end position of the message within the batch / segment, exclusive
  timestamp: 8, // u64 µs (clients send 0)
} as const;
