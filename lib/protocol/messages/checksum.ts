import { xxh3 } from '@node-rs/xxhash';
import { MessageLayout } from './message-layout.js';

/** XXH3-64, seed 0, of one encoded message's bytes after its checksum field: what the server stamps. */
export function messageChecksum(message: Buffer): bigint {
  return xxh3.xxh64(message.subarray(MessageLayout.id));
}
