import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { IggyErrorCode } from '../../../../lib/protocol/codes/error-codes.js';
import {
  sendMessagesCodec,
  type SendMessagesRequest,
} from '../../../../lib/protocol/commands/messages/index.js';
import type { OutgoingMessage } from '../../../../lib/protocol/messages/message-batch.js';
import { MessageRun } from '../../../../lib/protocol/messages/message-run.js';
import { Partitioning } from '../../../../lib/protocol/primitives/partitioning.js';
import { Header } from '../../../../lib/protocol/primitives/user-headers.js';
import { ProtocolError } from '../../../../lib/protocol/protocol-error.js';
import { vectorsDir } from '../../../support/vector-dirs.js';
import { loadVectors } from '../vectors/vector-file.js';
import { identifierArb, outgoingMessageArb, partitioningArb } from './message-arbitraries.js';

const codec = sendMessagesCodec;
const TS = 1_700_000_000_000n;

function iggyCodeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return (err as ProtocolError).iggyCode;
  }
  throw new Error('expected a ProtocolError');
}

const request = (messages: OutgoingMessage[]): SendMessagesRequest => ({
  streamId: 'rustok',
  topicId: 1,
  partitioning: Partitioning.partitionId(2),
  messages,
});

describe('SendMessages', () => {
  it('round-trips: decoding gives a validated view of the run, equal to encoding the objects', () => {
    fc.assert(
      fc.property(
        identifierArb,
        identifierArb,
        partitioningArb,
        fc.array(outgoingMessageArb, { minLength: 1, maxLength: 5 }),
        (streamId, topicId, partitioning, messages) => {
          const payload = codec.encodeRequest({ streamId, topicId, partitioning, messages });
          const decoded = codec.decodeRequest(payload);
          expect(decoded).toEqual({ streamId, topicId, partitioning, messages: MessageRun.encode(messages) });
          const run = decoded.messages as MessageRun;
          expect(run.bytes.buffer).toBe(payload.buffer); // no copy
          expect(run.decode().map((m) => [m.id, m.payload, m.headers, m.originTimestamp])).toEqual(
            messages.map((m) => [m.id, m.payload, m.headers, m.originTimestamp]),
          );
          // Re-encoding a decoded run gives the same bytes.
          expect(codec.encodeRequest(decoded)).toEqual(payload);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('lays out metadata length, metadata, index block of cumulative ends, messages', () => {
    const payload = codec.encodeRequest(
      request([
        { id: 1n, payload: Buffer.from('a'), originTimestamp: TS },
        { id: 2n, payload: Buffer.from('bb'), originTimestamp: TS },
      ]),
    );
    const meta = '0206727573746f6b' + '010401000000' + '020402000000' + '02000000';
    expect(payload.subarray(0, 4 + meta.length / 2).toString('hex')).toBe('18000000' + meta);
    const index = payload.subarray(28, 60).toString('hex');
    expect(index).toBe(
      '00000000' + '41000000' + '0000000000000000' + '00000000' + '83000000' + '0000000000000000',
    );
    expect(payload.length).toBe(60 + 65 + 66);
  });

  it('defaults the origin timestamp to now in microseconds', () => {
    const before = BigInt(Date.now()) * 1000n;
    const decoded = codec.decodeRequest(codec.encodeRequest(request([{ payload: Buffer.from('x') }])));
    const [m] = (decoded.messages as MessageRun).decode();
    expect(m!.originTimestamp >= before && m!.originTimestamp <= BigInt(Date.now()) * 1000n).toBe(true);
  });

  it('rejects an empty batch either way', () => {
    expect(iggyCodeOf(() => codec.encodeRequest(request([])))).toBe(IggyErrorCode.InvalidMessagesCount);
    const payload = Buffer.from('140000000206727573746f6b0104010000000100' + '00000000', 'hex');
    expect(iggyCodeOf(() => codec.decodeRequest(payload))).toBe(IggyErrorCode.InvalidMessagesCount);
  });

  it('rejects a metadata length that does not match the metadata', () => {
    const payload = codec.encodeRequest(request([{ payload: Buffer.from('x'), originTimestamp: TS }]));
    payload.writeUInt32LE(payload.readUInt32LE(0) + 1, 0);
    expect(iggyCodeOf(() => codec.decodeRequest(payload))).toBe(IggyErrorCode.InvalidCommand);
  });

  it('rejects an index block that disagrees with the messages', () => {
    const payload = codec.encodeRequest(request([{ payload: Buffer.from('x'), originTimestamp: TS }]));
    payload.writeUInt32LE(64, 28 + 4); // the message ends at 65
    expect(iggyCodeOf(() => codec.decodeRequest(payload))).toBe(IggyErrorCode.InvalidMessagesSize);
  });

  it('rejects a count larger than the payload without allocating for it', () => {
    const payload = codec.encodeRequest(request([{ payload: Buffer.from('x'), originTimestamp: TS }]));
    payload.writeUInt32LE(0xffffffff, 24); // messages count
    expect(() => codec.decodeRequest(payload)).toThrow(ProtocolError);
  });

  it('has an empty response', () => {
    expect(codec.encodeResponse(undefined).length).toBe(0);
    expect(codec.decodeResponse(Buffer.alloc(0))).toBeUndefined();
    expect(() => codec.decodeResponse(Buffer.from([0]))).toThrow(ProtocolError);
  });

  it('decodes the official SDK’s user headers to typed values', () => {
    const vector = loadVectors(vectorsDir).find((v) => v.name === 'send with user headers')!;
    const decoded = codec.decodeRequest(Buffer.from(vector.payload_hex, 'hex'));
    const [m] = (decoded.messages as MessageRun).decode();
    expect(m!.originTimestamp).toBe(TS); // the SDK writes milliseconds
    expect(m!.headers).toEqual([
      { key: Header.string('event_type'), value: Header.string('order.created') },
      { key: Header.string('tenant'), value: Header.string('tenant-123') },
      { key: Header.string('flag'), value: Header.bool(true) },
      { key: Header.string('n32'), value: Header.int32(-5) },
      { key: Header.string('u64'), value: Header.uint64(1234567890123n) },
      { key: Header.string('f64'), value: Header.float64(1.5) },
      { key: Header.string('raw'), value: Header.raw(Buffer.from([1, 2, 3])) },
    ]);
  });
});
