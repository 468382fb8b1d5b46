import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  Transport,
  type ClientDetails,
  type ClientInfo,
} from '../../../../lib/protocol/commands/clients/client.layout.js';
import { getClientCodec } from '../../../../lib/protocol/commands/clients/get-client.js';
import { getClientsCodec } from '../../../../lib/protocol/commands/clients/get-clients.js';
import { getMeCodec } from '../../../../lib/protocol/commands/clients/get-me.js';
import { ProtocolError } from '../../../../lib/protocol/protocol-error.js';
import { le, text, u32 } from './fixtures.js';

const details: ClientDetails = {
  clientId: 7,
  userId: 0,
  transport: Transport.Tcp,
  address: '127.0.0.1:53000',
  consumerGroupsCount: 2,
  consumerGroups: [
    { streamId: 1, topicId: 1, groupId: 3 },
    { streamId: 1, topicId: 2, groupId: 4 },
  ],
};

/** mapper.rs extend_client: client id, user id (u32::MAX = none), transport, address, group count. */
const infoBytes = (c: ClientInfo): Buffer =>
  le.cat(
    le.u32(c.clientId),
    le.u32(c.userId ?? 0xffffffff),
    le.u8(c.transport),
    le.str32(c.address),
    le.u32(c.consumerGroupsCount),
  );

const clientInfo: fc.Arbitrary<ClientInfo> = fc.record({
  clientId: u32,
  userId: fc.option(fc.integer({ min: 0, max: 0xfffffffe })),
  transport: fc.constantFrom(...Object.values(Transport)),
  address: text(0, 60),
  consumerGroupsCount: u32,
});

const clientDetails: fc.Arbitrary<ClientDetails> = fc
  .tuple(clientInfo, fc.array(fc.record({ streamId: u32, topicId: u32, groupId: u32 }), { maxLength: 4 }))
  .map(([info, consumerGroups]) => ({ ...info, consumerGroupsCount: consumerGroups.length, consumerGroups }));

describe('GetClient', () => {
  it('encodes the request as a u32 client id', () => {
    expect(getClientCodec.encodeRequest({ clientId: 7 }).toString('hex')).toBe('07000000');
    expect(getClientCodec.decodeRequest(Buffer.from('07000000', 'hex'))).toEqual({ clientId: 7 });
    expect(() => getClientCodec.decodeRequest(Buffer.from('0700', 'hex'))).toThrow(ProtocolError);
    expect(() => getClientCodec.decodeRequest(Buffer.from('0700000000', 'hex'))).toThrow(ProtocolError);
  });

  it('encodes the response as client info then (stream, topic, group) per joined group', () => {
    const expected = le.cat(
      infoBytes(details),
      le.u32(1),
      le.u32(1),
      le.u32(3),
      le.u32(1),
      le.u32(2),
      le.u32(4),
    );
    expect(getClientCodec.encodeResponse(details).toString('hex')).toBe(expected.toString('hex'));
    expect(getClientCodec.decodeResponse(expected)).toEqual(details);
  });

  it('maps a missing client to an empty payload and back', () => {
    expect(getClientCodec.encodeResponse(null)).toHaveLength(0);
    expect(getClientCodec.decodeResponse(Buffer.alloc(0))).toBeNull();
  });

  it('reads user id u32::MAX as "not logged in"', () => {
    const anonymous = { ...details, userId: null, consumerGroupsCount: 0, consumerGroups: [] };
    const bytes = infoBytes(anonymous);
    expect(bytes.subarray(4, 8).toString('hex')).toBe('ffffffff');
    expect(getClientCodec.decodeResponse(bytes)).toEqual(anonymous);
  });

  it('rejects a group count the payload does not hold, an unknown transport, and a count mismatch on encode', () => {
    expect(() => getClientCodec.decodeResponse(infoBytes({ ...details, consumerGroupsCount: 1 }))).toThrow(
      ProtocolError,
    );
    const badTransport = infoBytes({ ...details, consumerGroupsCount: 0 });
    badTransport[8] = 9;
    expect(() => getClientCodec.decodeResponse(badTransport)).toThrow(ProtocolError);
    expect(() => getClientCodec.encodeResponse({ ...details, consumerGroupsCount: 5 })).toThrow(
      ProtocolError,
    );
  });

  it('round-trips requests and responses', () => {
    fc.assert(
      fc.property(u32, clientDetails, (clientId, c) => {
        expect(getClientCodec.decodeRequest(getClientCodec.encodeRequest({ clientId }))).toEqual({
          clientId,
        });
        expect(getClientCodec.decodeResponse(getClientCodec.encodeResponse(c))).toEqual(c);
      }),
    );
  });
});

describe('GetMe', () => {
  it('has an empty request and the GetClient response layout', () => {
    expect(getMeCodec.encodeRequest()).toHaveLength(0);
    expect(() => getMeCodec.decodeRequest(Buffer.from([0]))).toThrow(ProtocolError);
    expect(getMeCodec.encodeResponse(details).equals(getClientCodec.encodeResponse(details))).toBe(true);
    expect(() => getMeCodec.decodeResponse(Buffer.alloc(0))).toThrow(ProtocolError);
  });

  it('round-trips responses', () => {
    fc.assert(
      fc.property(clientDetails, (c) => {
        expect(getMeCodec.decodeResponse(getMeCodec.encodeResponse(c))).toEqual(c);
      }),
    );
  });
});

describe('GetClients', () => {
  it('encodes the response as client infos back to back, without joined groups', () => {
    const a: ClientInfo = {
      clientId: 1,
      userId: 0,
      transport: Transport.Tcp,
      address: '10.0.0.1:1',
      consumerGroupsCount: 2,
    };
    const b: ClientInfo = {
      clientId: 2,
      userId: null,
      transport: Transport.Quic,
      address: '10.0.0.2:2',
      consumerGroupsCount: 0,
    };
    const expected = le.cat(infoBytes(a), infoBytes(b));
    expect(getClientsCodec.encodeResponse([a, b]).toString('hex')).toBe(expected.toString('hex'));
    expect(getClientsCodec.decodeResponse(expected)).toEqual([a, b]);
    expect(getClientsCodec.decodeResponse(Buffer.alloc(0))).toEqual([]);
    expect(() => getClientsCodec.decodeResponse(expected.subarray(0, expected.length - 1))).toThrow(
      ProtocolError,
    );
  });

  it('round-trips responses', () => {
    fc.assert(
      fc.property(fc.array(clientInfo, { maxLength: 5 }), (list) => {
        expect(getClientsCodec.decodeResponse(getClientsCodec.encodeResponse(list))).toEqual(list);
      }),
    );
  });
});
