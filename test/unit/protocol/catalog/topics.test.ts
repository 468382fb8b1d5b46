import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { IggyErrorCode } from '../../../../lib/protocol/codes/error-codes.js';
import {
  createTopicCodec,
  deleteTopicCodec,
  getTopicCodec,
  getTopicsCodec,
  purgeTopicCodec,
  updateTopicCodec,
  type CreateTopicRequest,
  type TopicDetails,
} from '../../../../lib/protocol/commands/topics/index.js';
import * as arb from './catalog.arbitraries.js';
import {
  expectProtocolError,
  expectVoidResponse,
  requestRoundTrips,
  responseRoundTrips,
} from './catalog.assert.js';
import { bytes, id, str8, u32, u64, u8 } from './catalog.bytes.js';

const topicTarget = fc.record({ streamId: arb.identifier, topicId: arb.identifier });

const domain: TopicDetails = {
  id: 0,
  createdAt: 1_700_000_000_000_000n,
  partitionsCount: 2,
  messageExpiry: 2_592_000_000_000n,
  compressionAlgorithm: 1,
  maxTopicSize: 10_737_418_240n,
  replicationFactor: 1,
  sizeBytes: 300n,
  messagesCount: 3n,
  name: 'domain',
  partitions: [
    { id: 0, createdAt: 11n, segmentsCount: 1, currentOffset: 1n, sizeBytes: 200n, messagesCount: 2n },
    { id: 1, createdAt: 12n, segmentsCount: 1, currentOffset: 0n, sizeBytes: 100n, messagesCount: 1n },
  ],
};

/** Topic header (extend_topic_header), then 40-byte partition records (extend_topic_with_partitions). */
const domainHeader = bytes(
  u32(0),
  u64(1_700_000_000_000_000n),
  u32(2),
  u64(2_592_000_000_000n),
  u8(1),
  u64(10_737_418_240n),
  u8(1),
  u64(300n),
  u64(3n),
  str8('domain'),
);
const domainBytes = bytes(
  domainHeader,
  bytes(u32(0), u64(11n), u32(1), u64(1n), u64(200n), u64(2n)),
  bytes(u32(1), u64(12n), u32(1), u64(0n), u64(100n), u64(1n)),
);

describe('GetTopic (300)', () => {
  it('round-trips requests', () => requestRoundTrips(getTopicCodec, topicTarget));

  it('writes stream then topic identifier', () => {
    expect(getTopicCodec.encodeRequest({ streamId: 'rustok', topicId: 2 })).toEqual(
      bytes(id('rustok'), id(2)),
    );
  });

  it('round-trips responses, null included', () => {
    responseRoundTrips(getTopicCodec, fc.option(arb.topicDetails, { nil: null }));
  });

  it('writes the topic header (expiry before compression) then its partitions', () => {
    expect(getTopicCodec.encodeResponse(domain)).toEqual(domainBytes);
    expect(getTopicCodec.decodeResponse(domainBytes)).toEqual(domain);
  });

  it('decodes the empty "not found" payload as null', () => {
    expect(getTopicCodec.decodeResponse(Buffer.alloc(0))).toBeNull();
    expect(getTopicCodec.encodeResponse(null)).toEqual(Buffer.alloc(0));
  });

  it('rejects a partition record cut short', () => {
    expectProtocolError(
      () => getTopicCodec.decodeResponse(domainBytes.subarray(0, domainBytes.length - 8)),
      'Truncated',
    );
  });

  it('refuses to encode an unknown compression code', () => {
    expectProtocolError(
      () => getTopicCodec.encodeResponse({ ...domain, compressionAlgorithm: 3 as 1 }),
      'InvalidValue',
      IggyErrorCode.InvalidCommand,
    );
  });
});

describe('GetTopics (301)', () => {
  it('round-trips requests', () =>
    requestRoundTrips(getTopicsCodec, fc.record({ streamId: arb.identifier })));

  it('round-trips responses', () =>
    responseRoundTrips(getTopicsCodec, fc.array(arb.topic, { maxLength: 8 })));

  it('writes topic headers back to back without partitions', () => {
    const { partitions: _partitions, ...header } = domain;
    const second = { ...header, id: 1, name: 'dlq' };
    const secondBytes = bytes(
      u32(1),
      u64(1_700_000_000_000_000n),
      u32(2),
      u64(2_592_000_000_000n),
      u8(1),
      u64(10_737_418_240n),
      u8(1),
      u64(300n),
      u64(3n),
      str8('dlq'),
    );
    const all = bytes(domainHeader, secondBytes);
    expect(getTopicsCodec.encodeResponse([header, second])).toEqual(all);
    expect(getTopicsCodec.decodeResponse(all)).toEqual([header, second]);
  });

  it('decodes an empty payload (missing stream or no topics) as no topics', () => {
    expect(getTopicsCodec.decodeResponse(Buffer.alloc(0))).toEqual([]);
  });
});

const createTopicRequest: fc.Arbitrary<CreateTopicRequest> = fc.record({
  streamId: arb.identifier,
  name: arb.name,
  partitionsCount: fc.integer({ min: 0, max: 1000 }),
  compressionAlgorithm: arb.compression,
  messageExpiry: arb.u64,
  maxTopicSize: arb.u64,
  replicationFactor: arb.u8,
});

describe('CreateTopic (302)', () => {
  it('round-trips requests', () => requestRoundTrips(createTopicCodec, createTopicRequest));

  it('writes stream · partitions · compression · expiry · max size · replication · name', () => {
    const request: CreateTopicRequest = {
      streamId: 1,
      name: 'dlq',
      partitionsCount: 3,
      compressionAlgorithm: 2,
      messageExpiry: 5n,
      maxTopicSize: 6n,
      replicationFactor: 1,
    };
    expect(createTopicCodec.encodeRequest(request)).toEqual(
      bytes(id(1), u32(3), u8(2), u64(5n), u64(6n), u8(1), str8('dlq')),
    );
  });

  it('rejects more than 1000 partitions with TooManyPartitions', () => {
    const payload = bytes(id(1), u32(1001), u8(1), u64(0n), u64(0n), u8(1), str8('t'));
    expectProtocolError(
      () => createTopicCodec.decodeRequest(payload),
      'InvalidValue',
      IggyErrorCode.TooManyPartitions,
    );
    expectProtocolError(
      () =>
        createTopicCodec.encodeRequest({
          streamId: 1,
          name: 't',
          partitionsCount: 1001,
          compressionAlgorithm: 1,
          messageExpiry: 0n,
          maxTopicSize: 0n,
          replicationFactor: 1,
        }),
      'InvalidValue',
      IggyErrorCode.TooManyPartitions,
    );
  });

  it('rejects an unknown compression code with InvalidCommand', () => {
    const payload = bytes(id(1), u32(1), u8(0), u64(0n), u64(0n), u8(1), str8('t'));
    expectProtocolError(
      () => createTopicCodec.decodeRequest(payload),
      'InvalidValue',
      IggyErrorCode.InvalidCommand,
    );
  });

  it('rejects an empty name with InvalidTopicName', () => {
    const payload = bytes(id(1), u32(1), u8(1), u64(0n), u64(0n), u8(1), u8(0));
    expectProtocolError(
      () => createTopicCodec.decodeRequest(payload),
      'InvalidValue',
      IggyErrorCode.InvalidTopicName,
    );
  });

  it('answers the new topic with its partitions', () => {
    expect(createTopicCodec.decodeResponse(domainBytes)).toEqual(domain);
    expect(createTopicCodec.encodeResponse(domain)).toEqual(domainBytes);
  });

  it('round-trips responses', () => responseRoundTrips(createTopicCodec, arb.topicDetails));
});

describe('UpdateTopic (304)', () => {
  const request = fc.record({
    streamId: arb.identifier,
    topicId: arb.identifier,
    name: arb.name,
    compressionAlgorithm: arb.compression,
    messageExpiry: arb.u64,
    maxTopicSize: arb.u64,
    replicationFactor: arb.u8,
  });

  it('round-trips requests', () => requestRoundTrips(updateTopicCodec, request));

  it('writes stream · topic · compression · expiry · max size · replication · name', () => {
    const payload = updateTopicCodec.encodeRequest({
      streamId: 1,
      topicId: 'a',
      name: 'b',
      compressionAlgorithm: 1,
      messageExpiry: 7n,
      maxTopicSize: 8n,
      replicationFactor: 2,
    });
    expect(payload).toEqual(bytes(id(1), id('a'), u8(1), u64(7n), u64(8n), u8(2), str8('b')));
  });

  it('has an empty response', () => expectVoidResponse(updateTopicCodec));
});

describe('DeleteTopic (303)', () => {
  it('round-trips requests with and without the ignored partitions count', () => {
    requestRoundTrips(
      deleteTopicCodec,
      fc.record(
        { streamId: arb.identifier, topicId: arb.identifier, partitionsCount: arb.u32 },
        { requiredKeys: ['streamId', 'topicId'] },
      ),
    );
  });

  it('accepts the Rust SDK payload and the Node SDK payload (4 extra bytes)', () => {
    expect(deleteTopicCodec.decodeRequest(bytes(id(1), id(2)))).toEqual({ streamId: 1, topicId: 2 });
    expect(deleteTopicCodec.decodeRequest(bytes(id(1), id(2), u32(0)))).toEqual({
      streamId: 1,
      topicId: 2,
      partitionsCount: 0,
    });
  });

  it('rejects any other tail', () => {
    expectProtocolError(() => deleteTopicCodec.decodeRequest(bytes(id(1), id(2), u8(0), u8(0))), 'Truncated');
    expectProtocolError(
      () => deleteTopicCodec.decodeRequest(bytes(id(1), id(2), u32(0), u8(0))),
      'TrailingBytes',
    );
  });

  it('has an empty response', () => expectVoidResponse(deleteTopicCodec));
});

describe('PurgeTopic (305)', () => {
  it('round-trips requests', () => requestRoundTrips(purgeTopicCodec, topicTarget));

  it('rejects a missing topic identifier', () => {
    expectProtocolError(() => purgeTopicCodec.decodeRequest(id(1)), 'Truncated');
  });

  it('has an empty response', () => expectVoidResponse(purgeTopicCodec));
});
