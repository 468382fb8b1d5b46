import { IggyErrorCode } from '../codes/error-codes.js';
import { ProtocolError } from '../protocol-error.js';
import type { BinaryReader } from './binary-reader.js';
import type { BinaryWriter } from './binary-writer.js';

export const PartitioningKind = { Balanced: 1, PartitionId: 2, MessagesKey: 3 } as const;
export type PartitioningKindValue = (typeof PartitioningKind)[keyof typeof PartitioningKind];

/** Which partition a send goes to: the server's round-robin, an explicit 0-based id, or a hashed key. */
export type Partitioning =
  | { kind: typeof PartitioningKind.Balanced }
  | { kind: typeof PartitioningKind.PartitionId; partitionId: number }
  /** `key`: 1..255 bytes; the server picks XxHash32(seed 0, key) mod partitions count. */
  | { kind: typeof PartitioningKind.MessagesKey; key: Buffer };

const MAX_KEY_BYTES = 255;

/** Partitioning constructors. */
export const Partitioning = {
  balanced: (): Partitioning => ({ kind: PartitioningKind.Balanced }),
  partitionId: (partitionId: number): Partitioning => ({ kind: PartitioningKind.PartitionId, partitionId }),
  /**
   * A messages key. Strings are UTF-8; numbers are written as u32 LE and bigints as u64 LE, as the
   * official Node SDK and the Rust SDK's `messages_key_u32/u64` do.
   */
  messagesKey: (key: string | Uint8Array | number | bigint): Partitioning => ({
    kind: PartitioningKind.MessagesKey,
    key: messagesKeyBytes(key),
  }),
} as const;

/** The key bytes the SDKs send for a messages key value. */
export function messagesKeyBytes(key: string | Uint8Array | number | bigint): Buffer {
  if (typeof key === 'string') return Buffer.from(key, 'utf8');
  if (typeof key === 'number') {
    if (!Number.isInteger(key) || key < 0 || key > 0xffffffff) {
      throw new ProtocolError('InvalidValue', `numeric messages key must be a u32, got ${key}`);
    }
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32LE(key, 0);
    return b;
  }
  if (typeof key === 'bigint') {
    if (key < 0n || key >= 1n << 64n) {
      throw new ProtocolError('InvalidValue', `bigint messages key must be a u64, got ${key}`);
    }
    const b = Buffer.allocUnsafe(8);
    b.writeBigUInt64LE(key, 0);
    return b;
  }
  return Buffer.from(key);
}

/** Encoded size in bytes (kind + length + value). */
export function partitioningSize(p: Partitioning): number {
  switch (p.kind) {
    case PartitioningKind.Balanced:
      return 2;
    case PartitioningKind.PartitionId:
      return 6;
    case PartitioningKind.MessagesKey:
      return 2 + p.key.length;
  }
}

export function writePartitioning(w: BinaryWriter, p: Partitioning): void {
  switch (p.kind) {
    case PartitioningKind.Balanced:
      w.u8(p.kind).u8(0);
      return;
    case PartitioningKind.PartitionId:
      w.u8(p.kind).u8(4).u32(p.partitionId);
      return;
    case PartitioningKind.MessagesKey:
      if (p.key.length === 0 || p.key.length > MAX_KEY_BYTES) {
        throw new ProtocolError(
          'InvalidValue',
          `messages key must be 1..${MAX_KEY_BYTES} bytes, got ${p.key.length}`,
          IggyErrorCode.InvalidKeyValueLength,
        );
      }
      w.u8(p.kind).u8(p.key.length).bytes(p.key);
      return;
    default:
      throw new ProtocolError('InvalidValue', `unknown partitioning kind ${(p as { kind: unknown }).kind}`);
  }
}

export function readPartitioning(r: BinaryReader): Partitioning {
  const kind = r.u8('partitioning kind');
  const length = r.u8('partitioning length');
  const bad = (why: string, code: number = IggyErrorCode.InvalidCommand): ProtocolError =>
    new ProtocolError('InvalidValue', `${r.context}: partitioning ${why}`, code);
  switch (kind) {
    case PartitioningKind.Balanced:
      if (length !== 0) throw bad(`balanced has length ${length}, expected 0`);
      return { kind };
    case PartitioningKind.PartitionId:
      if (length !== 4) throw bad(`partition id has length ${length}, expected 4`);
      return { kind, partitionId: r.u32('partition id') };
    case PartitioningKind.MessagesKey:
      if (length === 0) throw bad('messages key is empty', IggyErrorCode.InvalidKeyValueLength);
      // A copy: keys are small, and the request buffer should not be pinned by them.
      return { kind, key: Buffer.from(r.bytes(length, 'messages key')) };
    default:
      throw bad(`kind ${kind} is not 1 (balanced), 2 (partition id) or 3 (messages key)`);
  }
}
