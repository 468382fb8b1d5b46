import { describe, expect, it } from '@jest/globals';
import * as protocol from '../../../lib/protocol/index.js';

describe('lib/protocol public surface', () => {
  it('exports every codec of the registry under its conventional name', () => {
    const exported = protocol as unknown as Record<string, unknown>;
    for (const [code, codec] of protocol.codecsByCode) {
      const name = `${codec.name[0]!.toLowerCase()}${codec.name.slice(1)}Codec`;
      expect([code, exported[name]]).toEqual([code, codec]);
    }
  });

  it('has a codec for every command code', () => {
    for (const [name, code] of Object.entries(protocol.CommandCode)) {
      expect([name, protocol.codecsByCode.get(code)?.name]).toEqual([name, name]);
    }
  });

  it('exports the base pieces', () => {
    expect(protocol.ProtocolError).toBeDefined();
    expect(protocol.BinaryReader).toBeDefined();
    expect(protocol.RequestFrameDecoder).toBeDefined();
    expect(protocol.MessageRun).toBeDefined();
    expect(protocol.Limits.maxNameBytes).toBe(255);
  });
});
