import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { encodeMessages } from '../../../../lib/protocol/messages/message-batch.js';
import {
  messageIdToUuid,
  randomMessageId,
  uuidToMessageId,
} from '../../../../lib/protocol/messages/message-id.js';
import { ProtocolError } from '../../../../lib/protocol/protocol-error.js';

describe('message ids from UUIDs', () => {
  it('puts the UUID’s bytes on the wire in textual order (little-endian u128), as the official SDK does', () => {
    const id = uuidToMessageId('0190a0b2-7c1e-7d3a-9f00-0123456789ab');
    expect(id).toBe(0xab8967452301009f3a7d1e7cb2a09001n);
    const run = encodeMessages([{ id, payload: Buffer.from('u') }], 0n);
    expect(run.subarray(8, 24).toString('hex')).toBe('0190a0b27c1e7d3a9f000123456789ab');
  });

  it('accepts upper case and undashed forms and rejects anything else', () => {
    expect(uuidToMessageId('0190A0B27C1E7D3A9F000123456789AB')).toBe(
      uuidToMessageId('0190a0b2-7c1e-7d3a-9f00-0123456789ab'),
    );
    for (const bad of [
      '',
      'not-a-uuid',
      '0190a0b2-7c1e-7d3a-9f00-0123456789a',
      '{0190a0b2-7c1e-7d3a-9f00-0123456789ab}',
    ]) {
      expect(() => uuidToMessageId(bad)).toThrow(ProtocolError);
    }
  });

  it('accepts exactly what the UUID pattern does, and reads it as the hex it spells', () => {
    const pattern = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
    const reference = (uuid: string): bigint | 'refused' => {
      if (!pattern.test(uuid)) return 'refused';
      const bytes = uuid.replace(/-/g, '').match(/../g)!;
      return BigInt(`0x${bytes.reverse().join('')}`);
    };
    const parsed = (uuid: string): bigint | 'refused' => {
      try {
        return uuidToMessageId(uuid);
      } catch (err) {
        expect(err).toBeInstanceOf(ProtocolError);
        return 'refused';
      }
    };
    const nearUuid = fc
      .tuple(fc.uuid(), fc.nat(40), fc.constantFrom('', '-', 'g', 'é', 'A', '0', '--'))
      .map(([uuid, at, insert]) => uuid.slice(0, at % 37) + insert + uuid.slice((at % 37) + (at % 2)));
    fc.assert(
      fc.property(fc.oneof(fc.uuid(), nearUuid, fc.string({ maxLength: 40 })), (uuid) => {
        expect(parsed(uuid)).toBe(reference(uuid));
      }),
      { numRuns: 2_000 },
    );
    expect(parsed('0190a0b2-7c1e7d3a9f00-0123456789ab')).toBe(
      reference('0190a0b2-7c1e7d3a9f00-0123456789ab'),
    );
  });

  it('is inverted by messageIdToUuid', () => {
    fc.assert(
      fc.property(fc.uuid(), (uuid) => {
        expect(messageIdToUuid(uuidToMessageId(uuid))).toBe(uuid.toLowerCase());
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (id) => {
        expect(uuidToMessageId(messageIdToUuid(id))).toBe(id);
      }),
    );
    expect(messageIdToUuid(1n)).toBe('01000000-0000-0000-0000-000000000000');
    expect(() => messageIdToUuid(-1n)).toThrow(ProtocolError);
    expect(() => messageIdToUuid(1n << 128n)).toThrow(ProtocolError);
  });

  it('makes random v4 ids', () => {
    const a = randomMessageId();
    expect(a).not.toBe(randomMessageId());
    expect(messageIdToUuid(a)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
