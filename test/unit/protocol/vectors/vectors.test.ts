import { describe, expect, it } from '@jest/globals';
import { encodeRequestFrame } from '../../../../lib/protocol/framing.js';
import { vectorsDir } from '../../../support/vector-dirs.js';
import { catalogAdapters } from './adapters/catalog.adapters.js';
import { messagesAdapters } from './adapters/messages.adapters.js';
import { systemAdapters } from './adapters/system.adapters.js';
import { loadVectors } from './vector-file.js';

const adapters = { ...systemAdapters, ...catalogAdapters, ...messagesAdapters };
const vectors = loadVectors(vectorsDir);

describe('official SDK vectors (test/fixtures/iggy-vectors)', () => {
  it('finds vectors', () => {
    expect(vectors.length).toBeGreaterThan(0);
  });

  describe.each(vectors.map((v) => [`${v.file}: ${v.name}`, v] as const))('%s', (_label, vector) => {
    const adapter = adapters[vector.command];

    it('has an adapter and the right command code', () => {
      expect(adapter).toBeDefined();
      expect(adapter!.codec.code).toBe(vector.code);
    });

    it('encodes the input to exactly the recorded payload and frame', () => {
      const payload = adapter!.codec.encodeRequest(adapter!.toRequest(vector.input));
      expect(payload.toString('hex')).toBe(vector.payload_hex);
      expect(encodeRequestFrame(vector.code, payload).toString('hex')).toBe(vector.frame_hex);
    });

    it('decodes the recorded payload back to the input', () => {
      const decoded = adapter!.codec.decodeRequest(Buffer.from(vector.payload_hex, 'hex'));
      const expected = (adapter!.expectedDecoded ?? adapter!.toRequest)(vector.input);
      expect(decoded).toEqual(expected);
      expect(adapter!.codec.encodeRequest(decoded).toString('hex')).toBe(vector.payload_hex);
    });
  });
});
