import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { BrokerError } from '../../../lib/broker/broker-error.js';
import { validateBatch } from '../../../lib/broker/partitions/batch-validation.js';
import { stampBatch } from '../../../lib/broker/storage/batch-stamper.js';
import { firstChecksumMismatch } from '../../../lib/protocol/messages/checksum.js';
import { encodeMessages } from '../../../lib/protocol/messages/message-batch.js';
import { Header } from '../../../lib/protocol/primitives/user-headers.js';
import { fuzzRuns, mutated, randomBytes } from '../../support/fuzz.js';

const valid = encodeMessages(
  [
    {
      id: 1n,
      payload: Buffer.from('hello'),
      headers: [{ key: Header.string('k'), value: Header.bool(true) }],
    },
    { payload: Buffer.from('x') },
    { id: 3n, payload: Buffer.alloc(300, 7) },
  ],
  9n,
);

describe('a send batch, as the broker validates and stamps it', () => {
  it('is a BrokerError, or stamped in place within its bytes with checksums that hold', () => {
    fc.assert(
      fc.property(
        fc.oneof(randomBytes(), mutated(valid)),
        fc.integer({ min: -1, max: 4 }),
        (bytes, count) => {
          const batch = Buffer.from(bytes);
          let ends: Uint32Array;
          try {
            ends = validateBatch(batch, count);
          } catch (err) {
            if (err instanceof BrokerError) return true;
            throw err;
          }
          stampBatch(batch, ends, 10n, 20n);
          expect(ends.length).toBe(count);
          expect(ends[ends.length - 1]).toBe(bytes.length);
          expect(batch.length).toBe(bytes.length);
          expect(firstChecksumMismatch(batch, ends)).toBe(-1);
          return true;
        },
      ),
      { numRuns: fuzzRuns() },
    );
  });
});
