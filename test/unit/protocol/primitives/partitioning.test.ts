import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { IggyErrorCode } from '../../../../lib/protocol/codes/error-codes.js';
import { BinaryReader } from '../../../../lib/protocol/primitives/binary-reader.js';
import { BinaryWriter } from '../../../../lib/protocol/primitives/binary-writer.js';
import {
  Partitioning,
  PartitioningKind,
  messagesKeyBytes,
  partitioningSize,
  readPartitioning,
  writePartitioning,
} from '../../../../lib/protocol/primitives/partitioning.js';
import { ProtocolError } from '../../../../lib/protocol/protocol-error.js';
import { partitioningArb } from '../messages/message-arbitraries.js';

const encode = (p: Partitioning): Buffer => {
  const w = new BinaryWriter();
  writePartitioning(w, p);
  return w.finish();
};
const decode = (b: Buffer): Partitioning => {
  const r = new BinaryReader(b, 'test');
  const p = readPartitioning(r);
  r.finish();
  return p;
};
const hex = (s: string): Buffer => Buffer.from(s.replace(/ /g, ''), 'hex');

describe('partitioning', () => {
  it('round-trips every kind and reports its size', () => {
    fc.assert(
      fc.property(partitioningArb, (p) => {
        const bytes = encode(p);
        expect(bytes.length).toBe(partitioningSize(p));
        expect(decode(bytes)).toEqual(p);
      }),
    );
  });

  it('lays out balanced, partition id and messages key as kind · length · value', () => {
    expect(encode(Partitioning.balanced())).toEqual(hex('01 00'));
    expect(encode(Partitioning.partitionId(2))).toEqual(hex('02 04 02000000'));
    expect(encode(Partitioning.messagesKey('tenant-123'))).toEqual(
      Buffer.concat([hex('03 0a'), Buffer.from('tenant-123')]),
    );
  });

  it('writes numeric keys as the SDKs do: number → u32 LE, bigint → u64 LE', () => {
    expect(messagesKeyBytes(123)).toEqual(hex('7b000000'));
    expect(messagesKeyBytes(1n)).toEqual(hex('0100000000000000'));
    expect(messagesKeyBytes(Buffer.from([9, 8]))).toEqual(hex('0908'));
    expect(() => messagesKeyBytes(-1)).toThrow(ProtocolError);
    expect(() => messagesKeyBytes(1.5)).toThrow(ProtocolError);
    expect(() => messagesKeyBytes(1n << 64n)).toThrow(ProtocolError);
  });

  it('rejects keys that are empty or longer than 255 bytes', () => {
    for (const key of [Buffer.alloc(0), Buffer.alloc(256)]) {
      try {
        encode({ kind: PartitioningKind.MessagesKey, key });
        throw new Error('expected a ProtocolError');
      } catch (err) {
        expect(err).toBeInstanceOf(ProtocolError);
        expect((err as ProtocolError).code).toBe(IggyErrorCode.InvalidKeyValueLength);
      }
    }
  });

  it('rejects malformed wire values the way the server does', () => {
    expect(() => decode(hex('01 01 00'))).toThrow(/balanced has length 1/);
    expect(() => decode(hex('02 03 000000'))).toThrow(/expected 4/);
    expect(() => decode(hex('03 00'))).toThrow(/empty/);
    expect(() => decode(hex('04 00'))).toThrow(/kind 4/);
    expect(() => decode(hex('03 05 6162'))).toThrow(ProtocolError);
    try {
      decode(hex('09 00'));
    } catch (err) {
      expect((err as ProtocolError).code).toBe(IggyErrorCode.InvalidCommand);
    }
  });

  it('copies the key out of the received buffer', () => {
    const bytes = hex('03 02 6162');
    const p = decode(bytes);
    bytes[2] = 0;
    expect(p).toEqual({ kind: 3, key: Buffer.from('ab') });
  });
});
