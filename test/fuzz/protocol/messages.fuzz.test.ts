import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { CommandCodec } from '../../../lib/protocol/command-codec.js';
import {
  deleteConsumerOffsetCodec,
  getOffsetCodec,
  storeOffsetCodec,
} from '../../../lib/protocol/commands/consumer-offsets/index.js';
import {
  decodePollResponseRun,
  flushUnsavedBufferCodec,
  pollMessagesCodec,
  sendMessagesCodec,
} from '../../../lib/protocol/commands/messages/index.js';
import { encodeMessages, encodePolledMessages } from '../../../lib/protocol/messages/message-batch.js';
import { MessageRun } from '../../../lib/protocol/messages/message-run.js';
import { decodeMessages, validateMessages } from '../../../lib/protocol/messages/message-decode.js';
import { Partitioning } from '../../../lib/protocol/primitives/partitioning.js';
import { PollingStrategy } from '../../../lib/protocol/primitives/polling-strategy.js';
import {
  Header,
  decodeUserHeaders,
  encodeUserHeaders,
  validateUserHeaders,
  type UserHeaders,
} from '../../../lib/protocol/primitives/user-headers.js';
import { ProtocolError } from '../../../lib/protocol/protocol-error.js';
import { decodesOrRejects, fuzzRuns, mutated, randomBytes } from '../../support/fuzz.js';

const headers: UserHeaders = [
  { key: Header.string('event_type'), value: Header.string('order.created') },
  { key: Header.string('flag'), value: Header.bool(true) },
  { key: Header.int32(7), value: Header.int128(-5n) },
  { key: Header.raw(Buffer.from([1, 2])), value: Header.float32(1.5) },
  { key: Header.string('u'), value: Header.uint64(1234567890123n) },
];
const outgoing = [
  { id: 1n, payload: Buffer.from('hello'), headers, originTimestamp: 5n },
  { payload: Buffer.from('x') },
];
const run = encodeMessages(outgoing, 9n);
const stored = encodePolledMessages([
  {
    checksum: 1n,
    id: 2n,
    offset: 3n,
    timestamp: 4n,
    originTimestamp: 5n,
    headers,
    payload: Buffer.from('p'),
  },
  {
    checksum: 0n,
    id: 0n,
    offset: 4n,
    timestamp: 4n,
    originTimestamp: 5n,
    headers: [],
    payload: Buffer.from('qq'),
  },
]);
const target = {
  consumer: { kind: 2 as const, id: 'billing' },
  streamId: 'rustok',
  topicId: 7,
  partitionId: 3,
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCodec = CommandCodec<any, any>;
const cases: [AnyCodec, Buffer, Buffer][] = [
  [
    sendMessagesCodec,
    sendMessagesCodec.encodeRequest({
      streamId: 'rustok',
      topicId: 'domain',
      partitioning: Partitioning.messagesKey('tenant-1'),
      messages: outgoing,
    }),
    Buffer.alloc(0),
  ],
  [
    pollMessagesCodec,
    pollMessagesCodec.encodeRequest({
      ...target,
      strategy: PollingStrategy.offset(10n),
      count: 100,
      autoCommit: true,
    }),
    pollMessagesCodec.encodeResponse({
      partitionId: 3,
      currentOffset: 4n,
      messages: new MessageRun(stored, 2),
    }),
  ],
  [
    flushUnsavedBufferCodec,
    flushUnsavedBufferCodec.encodeRequest({ streamId: 1, topicId: 'domain', partitionId: 0, fsync: true }),
    Buffer.alloc(0),
  ],
  [
    getOffsetCodec,
    getOffsetCodec.encodeRequest(target),
    getOffsetCodec.encodeResponse({ partitionId: 3, currentOffset: 9n, storedOffset: 8n }),
  ],
  [storeOffsetCodec, storeOffsetCodec.encodeRequest({ ...target, offset: 99n }), Buffer.alloc(0)],
  [
    deleteConsumerOffsetCodec,
    deleteConsumerOffsetCodec.encodeRequest({ ...target, partitionId: null }),
    Buffer.alloc(0),
  ],
];

const bytesArb = (valid: Buffer): fc.Arbitrary<Buffer> => fc.oneof(randomBytes(), mutated(valid));

describe('message-side decoders never fail with anything but ProtocolError', () => {
  describe.each(cases.map(([codec, request, response]) => [codec.name, codec, request, response] as const))(
    '%s',
    (_name, codec, request, response) => {
      it('decodeRequest', () => {
        fc.assert(
          fc.property(bytesArb(request), (b) => decodesOrRejects(codec.decodeRequest, b)),
          {
            numRuns: fuzzRuns(),
          },
        );
      });

      it('decodeRequest accepts only canonical bytes (what it decodes re-encodes identically)', () => {
        fc.assert(
          fc.property(mutated(request), (b) => {
            let decoded: unknown;
            try {
              decoded = codec.decodeRequest(b);
            } catch (err) {
              if (err instanceof ProtocolError) return;
              throw err;
            }
            expect(codec.encodeRequest(decoded)).toEqual(b);
          }),
          { numRuns: fuzzRuns() },
        );
      });

      it('decodeResponse', () => {
        fc.assert(
          fc.property(bytesArb(response), (b) => decodesOrRejects(codec.decodeResponse, b)),
          {
            numRuns: fuzzRuns(),
          },
        );
      });
    },
  );

  it('decodePollResponseRun, then decoding its run, accepts exactly what decodeResponse accepts', () => {
    const response = pollMessagesCodec.encodeResponse({
      partitionId: 3,
      currentOffset: 4n,
      messages: new MessageRun(stored, 2),
    });
    fc.assert(
      fc.property(bytesArb(response), (b) => {
        decodesOrRejects(decodePollResponseRun, b);
        const accepts = (decode: (payload: Buffer) => unknown): boolean => {
          try {
            decode(b);
            return true;
          } catch {
            return false;
          }
        };
        // The framing is checked at once, the user headers when the run is decoded.
        const decodesRun = (payload: Buffer): unknown => decodePollResponseRun(payload).messages.decode();
        decodesOrRejects(decodesRun, b);
        expect(accepts(decodesRun)).toBe(accepts(pollMessagesCodec.decodeResponse));
      }),
      { numRuns: fuzzRuns() },
    );
  });

  const headerBytes = encodeUserHeaders(headers);
  it('decodeUserHeaders / validateUserHeaders agree', () => {
    fc.assert(
      fc.property(bytesArb(headerBytes), (b) => {
        let decodeOk = true;
        let validateOk = true;
        decodesOrRejects(decodeUserHeaders, b);
        try {
          decodeUserHeaders(b);
        } catch {
          decodeOk = false;
        }
        try {
          validateUserHeaders(b);
        } catch (err) {
          if (!(err instanceof ProtocolError)) throw err;
          validateOk = false;
        }
        expect(validateOk).toBe(decodeOk);
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('decodeMessages / validateMessages / MessageRun.ends', () => {
    fc.assert(
      fc.property(fc.oneof(bytesArb(run), bytesArb(stored)), (b) => {
        decodesOrRejects((x) => decodeMessages(x), b);
        decodesOrRejects((x) => decodeMessages(x, 2), b);
        decodesOrRejects((x) => validateMessages(x), b);
        decodesOrRejects((x) => validateMessages(x, { count: 2, allowEmpty: true }), b);
        decodesOrRejects((x) => new MessageRun(x, 0).ends(), b);
        return true;
      }),
      { numRuns: fuzzRuns() },
    );
  });
});
