import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { IggyErrorCode } from '../../../../lib/protocol/codes/error-codes.js';
import {
  createStreamCodec,
  deleteStreamCodec,
  getStreamCodec,
  getStreamsCodec,
  purgeStreamCodec,
  updateStreamCodec,
  type StreamDetails,
} from '../../../../lib/protocol/commands/streams/index.js';
import * as arb from './catalog.arbitraries.js';
import {
  expectProtocolError,
  expectVoidResponse,
  requestRoundTrips,
  responseRoundTrips,
} from './catalog.assert.js';
import { bytes, id, str8, u32, u64, u8 } from './catalog.bytes.js';

const target = fc.record({ streamId: arb.identifier });

const rustok: StreamDetails = {
  id: 7,
  createdAt: 1_700_000_000_000_000n,
  topicsCount: 2,
  sizeBytes: 4096n,
  messagesCount: 12n,
  name: 'rustok',
  topics: [
    {
      id: 0,
      createdAt: 1_700_000_000_000_001n,
      partitionsCount: 8,
      messageExpiry: 2_592_000_000_000n,
      compressionAlgorithm: 1,
      maxTopicSize: 10_737_418_240n,
      replicationFactor: 1,
      sizeBytes: 4000n,
      messagesCount: 10n,
      name: 'domain',
    },
    {
      id: 1,
      createdAt: 1_700_000_000_000_002n,
      partitionsCount: 1,
      messageExpiry: 0n,
      compressionAlgorithm: 2,
      maxTopicSize: (1n << 64n) - 1n,
      replicationFactor: 0,
      sizeBytes: 96n,
      messagesCount: 2n,
      name: 'dlq',
    },
  ],
};

/** Stream record then topic headers, as mapper.rs map_stream / extend_topic_header write them. */
const rustokBytes = bytes(
  u32(7),
  u64(1_700_000_000_000_000n),
  u32(2),
  u64(4096n),
  u64(12n),
  str8('rustok'),
  // topic 0: id · created_at · partitions_count · message_expiry · compression · max_size · replication · size · messages · name
  u32(0),
  u64(1_700_000_000_000_001n),
  u32(8),
  u64(2_592_000_000_000n),
  u8(1),
  u64(10_737_418_240n),
  u8(1),
  u64(4000n),
  u64(10n),
  str8('domain'),
  u32(1),
  u64(1_700_000_000_000_002n),
  u32(1),
  u64(0n),
  u8(2),
  u64((1n << 64n) - 1n),
  u8(0),
  u64(96n),
  u64(2n),
  str8('dlq'),
);

describe('GetStream (200)', () => {
  it('round-trips requests', () => requestRoundTrips(getStreamCodec, target));

  it('round-trips responses, null included', () => {
    responseRoundTrips(getStreamCodec, fc.option(arb.streamDetails, { nil: null }));
  });

  it('writes the stream record followed by its topic headers', () => {
    expect(getStreamCodec.encodeResponse(rustok)).toEqual(rustokBytes);
    expect(getStreamCodec.decodeResponse(rustokBytes)).toEqual(rustok);
  });

  it('decodes the empty "not found" payload as null', () => {
    expect(getStreamCodec.decodeResponse(Buffer.alloc(0))).toBeNull();
    expect(getStreamCodec.encodeResponse(null)).toEqual(Buffer.alloc(0));
  });

  it('rejects a topic header cut short', () => {
    expectProtocolError(
      () => getStreamCodec.decodeResponse(rustokBytes.subarray(0, rustokBytes.length - 1)),
      'Truncated',
    );
  });

  it('rejects an unknown compression code inside a topic header', () => {
    const bad = Buffer.from(rustokBytes);
    bad[33 + 6 + 24] = 9; // stream record (33 + name) then topic: 4 + 8 + 4 + 8 bytes before compression
    expectProtocolError(() => getStreamCodec.decodeResponse(bad), 'InvalidValue');
  });

  it('rejects trailing bytes after the identifier', () => {
    expectProtocolError(() => getStreamCodec.decodeRequest(bytes(id(3), u8(0))), 'TrailingBytes');
  });
});

describe('GetStreams (201)', () => {
  it('has an empty request', () => {
    expect(getStreamsCodec.encodeRequest()).toEqual(Buffer.alloc(0));
    expect(getStreamsCodec.decodeRequest(Buffer.alloc(0))).toBeUndefined();
    expectProtocolError(() => getStreamsCodec.decodeRequest(Buffer.from([1])), 'TrailingBytes');
  });

  it('round-trips responses', () =>
    responseRoundTrips(getStreamsCodec, fc.array(arb.stream, { maxLength: 8 })));

  it('writes stream records back to back without topics', () => {
    const streams = [
      { id: 0, createdAt: 1n, topicsCount: 3, sizeBytes: 2n, messagesCount: 5n, name: 'a' },
      { id: 1, createdAt: 9n, topicsCount: 0, sizeBytes: 0n, messagesCount: 0n, name: 'bé' },
    ];
    const expected = bytes(
      u32(0),
      u64(1n),
      u32(3),
      u64(2n),
      u64(5n),
      str8('a'),
      u32(1),
      u64(9n),
      u32(0),
      u64(0n),
      u64(0n),
      str8('bé'),
    );
    expect(getStreamsCodec.encodeResponse(streams)).toEqual(expected);
    expect(getStreamsCodec.decodeResponse(expected)).toEqual(streams);
  });

  it('decodes an empty payload as no streams', () => {
    expect(getStreamsCodec.decodeResponse(Buffer.alloc(0))).toEqual([]);
  });
});

describe('CreateStream (202)', () => {
  it('round-trips requests', () => requestRoundTrips(createStreamCodec, fc.record({ name: arb.name })));

  it('carries only the name (the server assigns the id)', () => {
    expect(createStreamCodec.encodeRequest({ name: 'rustok' })).toEqual(str8('rustok'));
  });

  it('rejects empty and oversized names with InvalidStreamName', () => {
    expectProtocolError(
      () => createStreamCodec.encodeRequest({ name: '' }),
      'InvalidValue',
      IggyErrorCode.InvalidStreamName,
    );
    expectProtocolError(
      () => createStreamCodec.encodeRequest({ name: 'x'.repeat(256) }),
      'TooLarge',
      IggyErrorCode.InvalidStreamName,
    );
    expectProtocolError(
      () => createStreamCodec.decodeRequest(u8(0)),
      'InvalidValue',
      IggyErrorCode.InvalidStreamName,
    );
  });

  it('rejects a name that is not UTF-8', () => {
    expectProtocolError(() => createStreamCodec.decodeRequest(Buffer.from([2, 0xc3, 0x28])), 'InvalidUtf8');
  });

  it('answers the new stream record, decoded with no topics', () => {
    const created = { ...rustok, topicsCount: 0, sizeBytes: 0n, messagesCount: 0n, topics: [] };
    const expected = bytes(u32(7), u64(1_700_000_000_000_000n), u32(0), u64(0n), u64(0n), str8('rustok'));
    expect(createStreamCodec.encodeResponse(created)).toEqual(expected);
    expect(createStreamCodec.decodeResponse(expected)).toEqual(created);
  });

  it('round-trips responses', () => responseRoundTrips(createStreamCodec, arb.streamDetails));
});

describe('UpdateStream (204)', () => {
  it('round-trips requests', () => {
    requestRoundTrips(updateStreamCodec, fc.record({ streamId: arb.identifier, name: arb.name }));
  });

  it('writes stream id then the new name', () => {
    expect(updateStreamCodec.encodeRequest({ streamId: 1, name: 'x' })).toEqual(bytes(id(1), str8('x')));
  });

  it('rejects an empty name with InvalidStreamName', () => {
    expectProtocolError(
      () => updateStreamCodec.decodeRequest(bytes(id(1), u8(0))),
      'InvalidValue',
      IggyErrorCode.InvalidStreamName,
    );
  });

  it('has an empty response', () => expectVoidResponse(updateStreamCodec));
});

describe.each([
  ['DeleteStream (203)', deleteStreamCodec],
  ['PurgeStream (205)', purgeStreamCodec],
])('%s', (_name, codec) => {
  it('round-trips requests', () => requestRoundTrips(codec, target));

  it('writes only the stream identifier', () => {
    expect(codec.encodeRequest({ streamId: 'rustok' })).toEqual(id('rustok'));
  });

  it('rejects a bad identifier with InvalidIdentifier', () => {
    expectProtocolError(
      () => codec.decodeRequest(Buffer.from([3, 1, 0])),
      'InvalidValue',
      IggyErrorCode.InvalidIdentifier,
    );
  });

  it('has an empty response', () => expectVoidResponse(codec));
});
