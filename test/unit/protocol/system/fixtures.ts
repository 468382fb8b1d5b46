import fc from 'fast-check';
import type { Identifier } from '../../../../lib/protocol/primitives/identifier.js';
import type {
  Permissions,
  StreamPermissions,
  TopicPermissions,
} from '../../../../lib/protocol/commands/users/permissions.layout.js';

/** Little-endian byte builders for hand-written expected layouts (independent of BinaryWriter). */
export const le = {
  u8: (v: number): Buffer => Buffer.from([v]),
  u16: (v: number): Buffer => {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(v);
    return b;
  },
  u32: (v: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    return b;
  },
  u64: (v: bigint): Buffer => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v);
    return b;
  },
  f32: (v: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    return b;
  },
  str8: (s: string): Buffer => Buffer.concat([Buffer.from([Buffer.byteLength(s)]), Buffer.from(s)]),
  str32: (s: string): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(Buffer.byteLength(s));
    return Buffer.concat([b, Buffer.from(s)]);
  },
  cat: (...parts: Buffer[]): Buffer => Buffer.concat(parts),
};

export const u16 = fc.integer({ min: 0, max: 0xffff });
export const u32 = fc.integer({ min: 0, max: 0xffffffff });
export const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
export const f32 = fc.float();

/** A string whose UTF-8 form is `min..max` bytes. */
export const text = (min = 0, max = 255): fc.Arbitrary<string> =>
  fc
    .string({ unit: 'binary', maxLength: Math.min(max, 40) })
    .filter((s) => Buffer.from(s, 'utf8').toString('utf8') === s)
    .filter((s) => Buffer.byteLength(s) >= min && Buffer.byteLength(s) <= max);

export const identifier: fc.Arbitrary<Identifier> = fc.oneof(u32, text(1));

const topicPermissions: fc.Arbitrary<TopicPermissions> = fc.record({
  manageTopic: fc.boolean(),
  readTopic: fc.boolean(),
  pollMessages: fc.boolean(),
  sendMessages: fc.boolean(),
});

const streamPermissions: fc.Arbitrary<StreamPermissions> = fc.record({
  manageStream: fc.boolean(),
  readStream: fc.boolean(),
  manageTopics: fc.boolean(),
  readTopics: fc.boolean(),
  pollMessages: fc.boolean(),
  sendMessages: fc.boolean(),
  topics: fc
    .uniqueArray(fc.tuple(u32, topicPermissions), { selector: ([id]) => id, maxLength: 4 })
    .map((e) => new Map(e)),
});

export const permissions: fc.Arbitrary<Permissions> = fc.record({
  global: fc.record({
    manageServers: fc.boolean(),
    readServers: fc.boolean(),
    manageUsers: fc.boolean(),
    readUsers: fc.boolean(),
    manageStreams: fc.boolean(),
    readStreams: fc.boolean(),
    manageTopics: fc.boolean(),
    readTopics: fc.boolean(),
    pollMessages: fc.boolean(),
    sendMessages: fc.boolean(),
  }),
  streams: fc
    .uniqueArray(fc.tuple(u32, streamPermissions), { selector: ([id]) => id, maxLength: 4 })
    .map((e) => new Map(e)),
});
