/**
 * Hand-built little-endian bytes for expected layouts, deliberately independent of BinaryWriter so a
 * codec is checked against the layout read off the server's mapper, not against itself.
 */
export const u8 = (v: number): Buffer => Buffer.from([v]);

export const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};

export const u64 = (v: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return b;
};

/** u8 length · UTF-8 bytes. */
export const str8 = (s: string): Buffer => {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([u8(b.length), b]);
};

/** Identifier: kind 1 · length 4 · u32, or kind 2 · length · bytes. */
export const id = (v: number | string): Buffer =>
  typeof v === 'number' ? Buffer.concat([u8(1), u8(4), u32(v)]) : Buffer.concat([u8(2), str8(v)]);

export const bytes = (...parts: Buffer[]): Buffer => Buffer.concat(parts);
