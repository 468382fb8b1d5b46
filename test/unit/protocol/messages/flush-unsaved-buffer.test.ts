import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { flushUnsavedBufferCodec } from '../../../../lib/protocol/commands/messages/index.js';
import { ProtocolError } from '../../../../lib/protocol/protocol-error.js';
import { identifierArb, partitionIdArb } from './message-arbitraries.js';

const codec = flushUnsavedBufferCodec;

describe('FlushUnsavedBuffer', () => {
  it('round-trips the request', () => {
    fc.assert(
      fc.property(
        fc.record({
          streamId: identifierArb,
          topicId: identifierArb,
          partitionId: partitionIdArb,
          fsync: fc.boolean(),
        }),
        (request) => {
          expect(codec.decodeRequest(codec.encodeRequest(request))).toEqual(request);
        },
      ),
    );
  });

  it('is stream · topic · u32 partition id · u8 fsync', () => {
    const payload = codec.encodeRequest({ streamId: 1, topicId: 'domain', partitionId: 3, fsync: true });
    expect(payload.toString('hex')).toBe('010401000000' + '0206646f6d61696e' + '03000000' + '01');
    payload[payload.length - 1] = 2;
    expect(() => codec.decodeRequest(payload)).toThrow(ProtocolError);
  });

  it('has an empty response', () => {
    expect(codec.encodeResponse(undefined).length).toBe(0);
    expect(codec.decodeResponse(Buffer.alloc(0))).toBeUndefined();
    expect(() => codec.decodeResponse(Buffer.from([1]))).toThrow(ProtocolError);
  });
});
