import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { BinaryReader } from '../../../../lib/protocol/primitives/binary-reader.js';
import { BinaryWriter } from '../../../../lib/protocol/primitives/binary-writer.js';
import {
  POLLING_STRATEGY_SIZE,
  PollingKind,
  PollingStrategy,
  readPollingStrategy,
  writePollingStrategy,
} from '../../../../lib/protocol/primitives/polling-strategy.js';
import { ProtocolError } from '../../../../lib/protocol/protocol-error.js';
import { pollingStrategyArb } from '../messages/message-arbitraries.js';

const encode = (s: PollingStrategy): Buffer => {
  const w = new BinaryWriter();
  writePollingStrategy(w, s);
  return w.finish();
};
const decode = (b: Buffer): PollingStrategy => {
  const r = new BinaryReader(b, 'test');
  const s = readPollingStrategy(r);
  r.finish();
  return s;
};

describe('polling strategy', () => {
  it('round-trips every kind as u8 kind · u64 value', () => {
    fc.assert(
      fc.property(pollingStrategyArb, (s) => {
        const bytes = encode(s);
        expect(bytes.length).toBe(POLLING_STRATEGY_SIZE);
        expect(decode(bytes)).toEqual(s);
      }),
    );
  });

  it('uses kinds offset 1, timestamp 2, first 3, last 4, next 5', () => {
    expect(encode(PollingStrategy.offset(100n)).toString('hex')).toBe('016400000000000000');
    expect(encode(PollingStrategy.timestamp(1_700_000_000_000_000n)).toString('hex')).toBe(
      '0200401e18240a0600',
    );
    expect(encode(PollingStrategy.first())[0]).toBe(PollingKind.First);
    expect(encode(PollingStrategy.last())[0]).toBe(PollingKind.Last);
    expect(encode(PollingStrategy.next())).toEqual(Buffer.from('050000000000000000', 'hex'));
  });

  it('rejects unknown kinds and out-of-range values', () => {
    expect(() => decode(Buffer.from('000000000000000000', 'hex'))).toThrow(ProtocolError);
    expect(() => decode(Buffer.from('060000000000000000', 'hex'))).toThrow(/polling kind 6/);
    expect(() => decode(Buffer.from('0100', 'hex'))).toThrow(ProtocolError);
    expect(() => encode({ kind: 7 as 1, value: 0n })).toThrow(ProtocolError);
    expect(() => encode({ kind: 1, value: -1n })).toThrow(ProtocolError);
  });
});
