import type { BinaryReader } from '../../primitives/binary-reader.js';
import type { BinaryWriter } from '../../primitives/binary-writer.js';
import { readIdentifier, writeIdentifier, type Identifier } from '../../primitives/identifier.js';
import { readToEnd } from '../payload.js';
import { readTopic, writeTopic, type Topic } from '../topics/topic.layout.js';

/** A stream as the server lists it (GetStreams). */
export interface Stream {
  id: number;
  /** Creation time, µs since the epoch. */
  createdAt: bigint;
  topicsCount: number;
  sizeBytes: bigint;
  messagesCount: bigint;
  name: string;
}

/** A stream with its topics' records (GetStream, CreateStream). */
export interface StreamDetails extends Stream {
  topics: Topic[];
}

/**
 * Stream record: u32 id · u64 created_at · u32 topics_count · u64 size_bytes · u64 messages_count ·
 * u8 name length · name.
 */
export function writeStream(w: BinaryWriter, stream: Stream): void {
  w.u32(stream.id)
    .u64(stream.createdAt)
    .u32(stream.topicsCount)
    .u64(stream.sizeBytes)
    .u64(stream.messagesCount)
    .str8(stream.name, 'stream name');
}

export function readStream(r: BinaryReader): Stream {
  return {
    id: r.u32('stream id'),
    createdAt: r.u64('stream created_at'),
    topicsCount: r.u32('stream topics_count'),
    sizeBytes: r.u64('stream size_bytes'),
    messagesCount: r.u64('stream messages_count'),
    name: r.str8('stream name'),
  };
}

/** Stream record followed by its topic records (no partitions). */
export function writeStreamDetails(w: BinaryWriter, stream: StreamDetails): void {
  writeStream(w, stream);
  for (const topic of stream.topics) writeTopic(w, topic);
}

/** A stream record, then topic records up to the end of the payload. */
export function readStreamDetailsToEnd(r: BinaryReader): StreamDetails {
  const stream = readStream(r);
  return { ...stream, topics: readToEnd(r, readTopic) };
}

/** Which stream a request is about: a stream identifier. */
export interface StreamTarget {
  streamId: Identifier;
}

export function writeStreamTarget(w: BinaryWriter, target: StreamTarget): void {
  writeIdentifier(w, target.streamId);
}

export function readStreamTarget(r: BinaryReader): StreamTarget {
  return { streamId: readIdentifier(r, 'stream id') };
}
