import { BinaryReader } from '../../primitives/binary-reader.js';
import { BinaryWriter } from '../../primitives/binary-writer.js';
import { readFlag, writeFlag } from '../payload.js';

/** Server-wide rights. `manage*` implies `read*` on the server. */
export interface GlobalPermissions {
  manageServers: boolean;
  readServers: boolean;
  manageUsers: boolean;
  readUsers: boolean;
  manageStreams: boolean;
  readStreams: boolean;
  manageTopics: boolean;
  readTopics: boolean;
  pollMessages: boolean;
  sendMessages: boolean;
}

/** Rights on one topic of a stream. */
export interface TopicPermissions {
  manageTopic: boolean;
  readTopic: boolean;
  pollMessages: boolean;
  sendMessages: boolean;
}

/** Rights on one stream, plus per-topic rights keyed by topic id. */
export interface StreamPermissions {
  manageStream: boolean;
  readStream: boolean;
  manageTopics: boolean;
  readTopics: boolean;
  pollMessages: boolean;
  sendMessages: boolean;
  /** Empty when there are no per-topic rights. */
  topics: Map<number, TopicPermissions>;
}

/** A user's permissions: global flags and per-stream rights keyed by stream id. */
export interface Permissions {
  global: GlobalPermissions;
  /** Empty when there are no per-stream rights. */
  streams: Map<number, StreamPermissions>;
}

const globalKeys = [
  'manageServers',
  'readServers',
  'manageUsers',
  'readUsers',
  'manageStreams',
  'readStreams',
  'manageTopics',
  'readTopics',
  'pollMessages',
  'sendMessages',
] as const satisfies readonly (keyof GlobalPermissions)[];
const streamKeys = [
  'manageStream',
  'readStream',
  'manageTopics',
  'readTopics',
  'pollMessages',
  'sendMessages',
] as const satisfies readonly (keyof StreamPermissions)[];
const topicKeys = [
  'manageTopic',
  'readTopic',
  'pollMessages',
  'sendMessages',
] as const satisfies readonly (keyof TopicPermissions)[];

/** Every right, no per-stream entries: what the root user holds. */
export function rootPermissions(): Permissions {
  const global = Object.fromEntries(globalKeys.map((k) => [k, true])) as unknown as GlobalPermissions;
  return { global, streams: new Map() };
}

/**
 * The permissions block: 10 global flags (u8 0/1), then `u8 has streams`; each stream is `u32 id`, 6 flags,
 * `u8 has topics`, its topics (`u32 id`, 4 flags, `u8 another topic follows`), `u8 another stream follows`.
 */
export function writePermissions(w: BinaryWriter, p: Permissions): void {
  for (const k of globalKeys) writeFlag(w, p.global[k]);
  writeFlag(w, p.streams.size > 0);
  let streamsLeft = p.streams.size;
  for (const [streamId, stream] of p.streams) {
    w.u32(streamId);
    for (const k of streamKeys) writeFlag(w, stream[k]);
    writeFlag(w, stream.topics.size > 0);
    let topicsLeft = stream.topics.size;
    for (const [topicId, topic] of stream.topics) {
      w.u32(topicId);
      for (const k of topicKeys) writeFlag(w, topic[k]);
      writeFlag(w, --topicsLeft > 0);
    }
    writeFlag(w, --streamsLeft > 0);
  }
}

function readFlags<K extends string>(r: BinaryReader, keys: readonly K[]): Record<K, boolean> {
  const out = {} as Record<K, boolean>;
  for (const k of keys) out[k] = readFlag(r, k);
  return out;
}

/** Reads the permissions block. A repeated stream or topic id keeps the last entry, as the server does. */
export function readPermissions(r: BinaryReader): Permissions {
  const global = readFlags(r, globalKeys);
  const streams = new Map<number, StreamPermissions>();
  let more = readFlag(r, 'has streams');
  while (more) {
    const streamId = r.u32('stream id');
    const flags = readFlags(r, streamKeys);
    const topics = new Map<number, TopicPermissions>();
    let moreTopics = readFlag(r, 'has topics');
    while (moreTopics) {
      const topicId = r.u32('topic id');
      topics.set(topicId, readFlags(r, topicKeys));
      moreTopics = readFlag(r, 'another topic follows');
    }
    streams.set(streamId, { ...flags, topics });
    more = readFlag(r, 'another stream follows');
  }
  return { global, streams };
}

/** `u32 length` · permissions block, the part after a "has permissions" flag. */
export function writeSizedPermissions(w: BinaryWriter, p: Permissions): void {
  const block = new BinaryWriter(32);
  writePermissions(block, p);
  w.u32(block.length).bytes(block.finish());
}

/** Reads `u32 length` and a permissions block that must fill exactly that many bytes. */
export function readSizedPermissions(r: BinaryReader): Permissions {
  const length = r.u32('permissions length');
  const inner = new BinaryReader(r.bytes(length, 'permissions'), `${r.context} permissions`);
  const permissions = readPermissions(inner);
  inner.finish();
  return permissions;
}

/** Request form (CreateUser, UpdatePermissions): `u8 0`, or `u8 1` · `u32 length` · block. */
export function writeOptionalPermissions(w: BinaryWriter, p: Permissions | undefined): void {
  writeFlag(w, p !== undefined);
  if (p !== undefined) writeSizedPermissions(w, p);
}

export function readOptionalPermissions(r: BinaryReader): Permissions | undefined {
  return readFlag(r, 'has permissions') ? readSizedPermissions(r) : undefined;
}
