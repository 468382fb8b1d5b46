import { describe, expect, it } from '@jest/globals';
import { BinaryReader } from '../../../../lib/protocol/primitives/binary-reader.js';
import { BinaryWriter } from '../../../../lib/protocol/primitives/binary-writer.js';
import {
  readOptionalPartitionId,
  writeOptionalPartitionId,
} from '../../../../lib/protocol/primitives/optional-partition-id.js';
import { ProtocolError } from '../../../../lib/protocol/protocol-error.js';

const encode = (p: number | null): string => {
  const w = new BinaryWriter();
  writeOptionalPartitionId(w, p);
  return w.finish().toString('hex');
};
const decode = (hex: string): number | null =>
  readOptionalPartitionId(new BinaryReader(Buffer.from(hex, 'hex'), 'test'));

describe('optional partition id', () => {
  it('is a u8 flag then a u32 (zero padding when absent)', () => {
    expect(encode(3)).toBe('0103000000');
    expect(encode(0)).toBe('0100000000');
    expect(encode(null)).toBe('0000000000');
    expect(decode('0103000000')).toBe(3);
    expect(decode('0000000000')).toBeNull();
  });

  it('rejects other flags and non-zero padding', () => {
    expect(() => decode('0203000000')).toThrow(ProtocolError);
    expect(() => decode('0001000000')).toThrow(/padding/);
    expect(() => decode('01030000')).toThrow(ProtocolError);
  });
});
