import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { IggyErrorCode } from '../../../../lib/protocol/codes/error-codes.js';
import {
  createPartitionsCodec,
  deletePartitionsCodec,
} from '../../../../lib/protocol/commands/partitions/index.js';
import { deleteSegmentsCodec } from '../../../../lib/protocol/commands/segments/index.js';
import * as arb from './catalog.arbitraries.js';
import { expectProtocolError, expectVoidResponse, requestRoundTrips } from './catalog.assert.js';
import { bytes, id, u32 } from './catalog.bytes.js';

describe.each([
  ['CreatePartitions (402)', createPartitionsCodec],
  ['DeletePartitions (403)', deletePartitionsCodec],
])('%s', (_name, codec) => {
  it('round-trips requests', () => {
    requestRoundTrips(
      codec,
      fc.record({
        streamId: arb.identifier,
        topicId: arb.identifier,
        partitionsCount: fc.integer({ min: 1, max: 1000 }),
      }),
    );
  });

  it('writes stream · topic · u32 partitions count', () => {
    expect(codec.encodeRequest({ streamId: 'rustok', topicId: 1, partitionsCount: 2 })).toEqual(
      bytes(id('rustok'), id(1), u32(2)),
    );
  });

  it('accepts 1..1000 partitions, like the server (TooManyPartitions otherwise)', () => {
    for (const count of [0, 1001]) {
      expectProtocolError(
        () => codec.decodeRequest(bytes(id(1), id(1), u32(count))),
        'InvalidValue',
        IggyErrorCode.TooManyPartitions,
      );
      expectProtocolError(
        () => codec.encodeRequest({ streamId: 1, topicId: 1, partitionsCount: count }),
        'InvalidValue',
        IggyErrorCode.TooManyPartitions,
      );
    }
  });

  it('rejects a missing count', () => {
    expectProtocolError(() => codec.decodeRequest(bytes(id(1), id(1))), 'Truncated');
  });

  it('has an empty response', () => expectVoidResponse(codec));
});

describe('DeleteSegments (503)', () => {
  it('round-trips requests', () => {
    requestRoundTrips(
      deleteSegmentsCodec,
      fc.record({
        streamId: arb.identifier,
        topicId: arb.identifier,
        partitionId: arb.u32,
        segmentsCount: arb.u32,
      }),
    );
  });

  it('writes stream · topic · u32 partition id · u32 segments count', () => {
    expect(
      deleteSegmentsCodec.encodeRequest({ streamId: 1, topicId: 'domain', partitionId: 0, segmentsCount: 3 }),
    ).toEqual(bytes(id(1), id('domain'), u32(0), u32(3)));
  });

  it('rejects a missing segments count and trailing bytes', () => {
    expectProtocolError(() => deleteSegmentsCodec.decodeRequest(bytes(id(1), id(1), u32(0))), 'Truncated');
    expectProtocolError(
      () => deleteSegmentsCodec.decodeRequest(bytes(id(1), id(1), u32(0), u32(1), Buffer.from([0]))),
      'TrailingBytes',
    );
  });

  it('has an empty response', () => expectVoidResponse(deleteSegmentsCodec));
});
