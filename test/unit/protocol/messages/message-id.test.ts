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
