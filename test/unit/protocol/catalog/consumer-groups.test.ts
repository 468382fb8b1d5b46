import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { IggyErrorCode } from '../../../../lib/protocol/codes/error-codes.js';
import {
  createConsumerGroupCodec,
  deleteConsumerGroupCodec,
  getConsumerGroupCodec,
  getConsumerGroupsCodec,
  joinConsumerGroupCodec,
  leaveConsumerGroupCodec,
  type ConsumerGroupDetails,
} from '../../../../lib/protocol/commands/consumer-groups/index.js';
import * as arb from './catalog.arbitraries.js';
import {
  expectProtocolError,
  expectVoidResponse,
  requestRoundTrips,
  responseRoundTrips,
} from './catalog.assert.js';
import { bytes, id, str8, u32, u8 } from './catalog.bytes.js';

const groupTarget = fc.record({ streamId: arb.identifier, topicId: arb.identifier, groupId: arb.identifier });

const billing: ConsumerGroupDetails = {
  id: 3,
  partitionsCount: 4,
  membersCount: 2,
  name: 'billing',
  members: [
    { id: 0, partitions: [0, 2] },
    { id: 1, partitions: [1, 3] },
  ],
};

/** Group header, then per member: id · partitions count · partition ids (map_consumer_group_from_meta). */
const billingBytes = bytes(
  u32(3),
  u32(4),
  u32(2),
  str8('billing'),
  bytes(u32(0), u32(2), u32(0), u32(2)),
  bytes(u32(1), u32(2), u32(1), u32(3)),
);

describe('GetConsumerGroup (600)', () => {
  it('round-trips requests', () => requestRoundTrips(getConsumerGroupCodec, groupTarget));

  it('writes stream · topic · group identifiers', () => {
    expect(
      getConsumerGroupCodec.encodeRequest({ streamId: 'rustok', topicId: 'domain', groupId: 'billing' }),
    ).toEqual(bytes(id('rustok'), id('domain'), id('billing')));
  });

  it('round-trips responses, null included', () => {
    responseRoundTrips(getConsumerGroupCodec, fc.option(arb.groupDetails, { nil: null }));
  });

  it('writes the group header then each member with its partitions', () => {
    expect(getConsumerGroupCodec.encodeResponse(billing)).toEqual(billingBytes);
    expect(getConsumerGroupCodec.decodeResponse(billingBytes)).toEqual(billing);
  });

  it('decodes a member with no partitions', () => {
    const payload = bytes(u32(1), u32(1), u32(2), str8('g'), u32(0), u32(1), u32(0), u32(1), u32(0));
    expect(getConsumerGroupCodec.decodeResponse(payload)).toEqual({
      id: 1,
      partitionsCount: 1,
      membersCount: 2,
      name: 'g',
      members: [
        { id: 0, partitions: [0] },
        { id: 1, partitions: [] },
      ],
    });
  });

  it('decodes the empty "not found" payload as null', () => {
    expect(getConsumerGroupCodec.decodeResponse(Buffer.alloc(0))).toBeNull();
    expect(getConsumerGroupCodec.encodeResponse(null)).toEqual(Buffer.alloc(0));
  });

  it('rejects a member whose partition count exceeds the payload, without allocating for it', () => {
    const payload = bytes(u32(1), u32(1), u32(1), str8('g'), u32(0), u32(0xffffffff), u32(0));
    expectProtocolError(() => getConsumerGroupCodec.decodeResponse(payload), 'Truncated');
  });
});

describe('GetConsumerGroups (601)', () => {
  it('round-trips requests', () => {
    requestRoundTrips(
      getConsumerGroupsCodec,
      fc.record({ streamId: arb.identifier, topicId: arb.identifier }),
    );
  });

  it('round-trips responses', () =>
    responseRoundTrips(getConsumerGroupsCodec, fc.array(arb.group, { maxLength: 8 })));

  it('writes group headers back to back without members', () => {
    const groups = [
      { id: 0, partitionsCount: 4, membersCount: 2, name: 'billing' },
      { id: 1, partitionsCount: 4, membersCount: 0, name: 'audit' },
    ];
    const expected = bytes(u32(0), u32(4), u32(2), str8('billing'), u32(1), u32(4), u32(0), str8('audit'));
    expect(getConsumerGroupsCodec.encodeResponse(groups)).toEqual(expected);
    expect(getConsumerGroupsCodec.decodeResponse(expected)).toEqual(groups);
  });

  it('decodes an empty payload as no groups', () => {
    expect(getConsumerGroupsCodec.decodeResponse(Buffer.alloc(0))).toEqual([]);
  });
});

describe('CreateConsumerGroup (602)', () => {
  it('round-trips requests', () => {
    requestRoundTrips(
      createConsumerGroupCodec,
      fc.record({ streamId: arb.identifier, topicId: arb.identifier, name: arb.name }),
    );
  });

  it('carries no group id (the server assigns it)', () => {
    expect(createConsumerGroupCodec.encodeRequest({ streamId: 1, topicId: 2, name: 'billing' })).toEqual(
      bytes(id(1), id(2), str8('billing')),
    );
  });

  it('rejects an empty name with InvalidConsumerGroupName', () => {
    expectProtocolError(
      () => createConsumerGroupCodec.decodeRequest(bytes(id(1), id(2), u8(0))),
      'InvalidValue',
      IggyErrorCode.InvalidConsumerGroupName,
    );
    expectProtocolError(
      () => createConsumerGroupCodec.encodeRequest({ streamId: 1, topicId: 2, name: '' }),
      'InvalidValue',
      IggyErrorCode.InvalidConsumerGroupName,
    );
  });

  it('answers the new group record, decoded with no members', () => {
    const created = { id: 0, partitionsCount: 8, membersCount: 0, name: 'billing', members: [] };
    const expected = bytes(u32(0), u32(8), u32(0), str8('billing'));
    expect(createConsumerGroupCodec.encodeResponse(created)).toEqual(expected);
    expect(createConsumerGroupCodec.decodeResponse(expected)).toEqual(created);
  });

  it('round-trips responses', () => responseRoundTrips(createConsumerGroupCodec, arb.groupDetails));
});

describe.each([
  ['DeleteConsumerGroup (603)', deleteConsumerGroupCodec],
  ['JoinConsumerGroup (604)', joinConsumerGroupCodec],
  ['LeaveConsumerGroup (605)', leaveConsumerGroupCodec],
])('%s', (_name, codec) => {
  it('round-trips requests', () => requestRoundTrips(codec, groupTarget));

  it('writes stream · topic · group identifiers', () => {
    expect(codec.encodeRequest({ streamId: 1, topicId: 'domain', groupId: 7 })).toEqual(
      bytes(id(1), id('domain'), id(7)),
    );
  });

  it('rejects a missing group identifier and trailing bytes', () => {
    expectProtocolError(() => codec.decodeRequest(bytes(id(1), id(2))), 'Truncated');
    expectProtocolError(() => codec.decodeRequest(bytes(id(1), id(2), id(3), u8(9))), 'TrailingBytes');
  });

  it('has an empty response', () => expectVoidResponse(codec));
});
