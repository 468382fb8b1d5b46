import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  deleteConsumerOffsetCodec,
  getOffsetCodec,
  storeOffsetCodec,
} from '../../../../lib/protocol/commands/consumer-offsets/index.js';
import { ProtocolError } from '../../../../lib/protocol/protocol-error.js';
import { consumerArb, identifierArb, partitionIdArb } from '../messages/message-arbitraries.js';

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const targetArb = fc.record({
  consumer: consumerArb,
  streamId: identifierArb,
  topicId: identifierArb,
  partitionId: fc.option(partitionIdArb, { nil: null }),
});

describe('consumer offsets', () => {
  it('round-trip their requests', () => {
    fc.assert(
      fc.property(targetArb, u64, (target, offset) => {
        expect(getOffsetCodec.decodeRequest(getOffsetCodec.encodeRequest(target))).toEqual(target);
        expect(
          deleteConsumerOffsetCodec.decodeRequest(deleteConsumerOffsetCodec.encodeRequest(target)),
        ).toEqual(target);
        const store = { ...target, offset };
        expect(storeOffsetCodec.decodeRequest(storeOffsetCodec.encodeRequest(store))).toEqual(store);
      }),
    );
  });

  it('lay out consumer · stream · topic · partition flag + u32 (· u64 offset)', () => {
    const target = {
      consumer: { kind: 2 as const, id: 'billing' },
      streamId: 1,
      topicId: 'domain',
      partitionId: null,
    };
    const prefix = '02020762696c6c696e67' + '010401000000' + '0206646f6d61696e';
    expect(getOffsetCodec.encodeRequest(target).toString('hex')).toBe(prefix + '0000000000');
    expect(storeOffsetCodec.encodeRequest({ ...target, partitionId: 1, offset: 5n }).toString('hex')).toBe(
      prefix + '0101000000' + '0500000000000000',
    );
  });

  it('reject trailing, missing and malformed bytes', () => {
    const payload = getOffsetCodec.encodeRequest({
      consumer: { kind: 1, id: 0 },
      streamId: 1,
      topicId: 1,
      partitionId: 3,
    });
    expect(() => getOffsetCodec.decodeRequest(Buffer.concat([payload, Buffer.from([0])]))).toThrow(
      ProtocolError,
    );
    expect(() => getOffsetCodec.decodeRequest(payload.subarray(0, payload.length - 1))).toThrow(
      ProtocolError,
    );
    const badKind = Buffer.from(payload);
    badKind[0] = 3;
    expect(() => getOffsetCodec.decodeRequest(badKind)).toThrow(ProtocolError);
  });

  it('GetOffset answers partition id · current offset · stored offset, or nothing', () => {
    fc.assert(
      fc.property(partitionIdArb, u64, u64, (partitionId, currentOffset, storedOffset) => {
        const info = { partitionId, currentOffset, storedOffset };
        expect(getOffsetCodec.decodeResponse(getOffsetCodec.encodeResponse(info))).toEqual(info);
      }),
    );
    const bytes = getOffsetCodec.encodeResponse({ partitionId: 3, currentOffset: 10n, storedOffset: 7n });
    expect(bytes.toString('hex')).toBe('03000000' + '0a00000000000000' + '0700000000000000');
    expect(getOffsetCodec.encodeResponse(null).length).toBe(0);
    expect(getOffsetCodec.decodeResponse(Buffer.alloc(0))).toBeNull();
    expect(() => getOffsetCodec.decodeResponse(bytes.subarray(0, 19))).toThrow(ProtocolError);
    expect(() => getOffsetCodec.decodeResponse(Buffer.concat([bytes, Buffer.from([0])]))).toThrow(
      ProtocolError,
    );
  });

  it('StoreOffset and DeleteConsumerOffset answer nothing', () => {
    for (const codec of [storeOffsetCodec, deleteConsumerOffsetCodec]) {
      expect(codec.encodeResponse(undefined).length).toBe(0);
      expect(codec.decodeResponse(Buffer.alloc(0))).toBeUndefined();
      expect(() => codec.decodeResponse(Buffer.from([0]))).toThrow(ProtocolError);
    }
  });
});
