import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  decodePollResponseRun,
  encodePollResponseHead,
  pollMessagesCodec,
  type PolledMessages,
} from '../../../../lib/protocol/commands/messages/index.js';
import { encodePolledMessages } from '../../../../lib/protocol/messages/message-batch.js';
import { MessageRun } from '../../../../lib/protocol/messages/message-run.js';
import { ConsumerKind } from '../../../../lib/protocol/primitives/consumer.js';
import { PollingStrategy } from '../../../../lib/protocol/primitives/polling-strategy.js';
import { ProtocolError } from '../../../../lib/protocol/protocol-error.js';
import {
  consumerArb,
  identifierArb,
  partitionIdArb,
  pollingStrategyArb,
  polledMessageArb,
} from './message-arbitraries.js';

const codec = pollMessagesCodec;

describe('PollMessages request', () => {
  it('round-trips', () => {
    fc.assert(
      fc.property(
        fc.record({
          consumer: consumerArb,
          streamId: identifierArb,
          topicId: identifierArb,
          partitionId: fc.option(partitionIdArb, { nil: null }),
          strategy: pollingStrategyArb,
          count: fc.integer({ min: 0, max: 0xffffffff }),
          autoCommit: fc.boolean(),
        }),
        (request) => {
          expect(codec.decodeRequest(codec.encodeRequest(request))).toEqual(request);
        },
      ),
    );
  });

  it('lays out consumer · stream · topic · partition flag + u32 · strategy · count · auto commit', () => {
    const payload = codec.encodeRequest({
      consumer: { kind: ConsumerKind.ConsumerGroup, id: 'billing' },
      streamId: 'rustok',
      topicId: 'domain',
      partitionId: null,
      strategy: PollingStrategy.next(),
      count: 10,
      autoCommit: true,
    });
    expect(payload.toString('hex')).toBe(
      '02020762696c6c696e67' +
        '0206727573746f6b' +
        '0206646f6d61696e' +
        '0000000000' +
        '050000000000000000' +
        '0a000000' +
        '01',
    );
  });

  it('rejects an auto-commit byte other than 0 or 1', () => {
    const payload = codec.encodeRequest({
      consumer: { kind: 1, id: 0 },
      streamId: 1,
      topicId: 1,
      partitionId: 0,
      strategy: PollingStrategy.first(),
      count: 1,
      autoCommit: false,
    });
    payload[payload.length - 1] = 2;
    expect(() => codec.decodeRequest(payload)).toThrow(ProtocolError);
  });
});

describe('PollMessages response', () => {
  it('round-trips message objects', () => {
    fc.assert(
      fc.property(
        partitionIdArb,
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.array(polledMessageArb, { maxLength: 5 }),
        (partitionId, currentOffset, messages) => {
          const response: PolledMessages = { partitionId, currentOffset, messages };
          expect(codec.decodeResponse(codec.encodeResponse(response))).toEqual(response);
        },
      ),
    );
  });

  it('is u32 partition id · u64 current offset · u32 count · the stored messages as they are', () => {
    const stored = { checksum: 9n, timestamp: 1_000n, originTimestamp: 5n, headers: [] };
    const run = encodePolledMessages([
      { ...stored, id: 7n, offset: 41n, payload: Buffer.from('hello') },
      { ...stored, id: 0n, offset: 42n, payload: Buffer.from('x') },
    ]);
    const payload = codec.encodeResponse({
      partitionId: 3,
      currentOffset: 42n,
      messages: new MessageRun(run, 2),
    });
    expect(payload.subarray(0, 16).toString('hex')).toBe('03000000' + '2a00000000000000' + '02000000');
    expect(payload.subarray(16)).toEqual(run);
    expect(encodePollResponseHead(3, 42n, 2)).toEqual(payload.subarray(0, 16));

    const decoded = codec.decodeResponse(payload);
    expect(decoded.partitionId).toBe(3);
    expect(decoded.currentOffset).toBe(42n);
    const messages = decoded.messages as ReturnType<MessageRun['decode']>;
    expect(
      messages.map((m) => [m.offset, m.timestamp, m.id, m.originTimestamp, m.payload.toString()]),
    ).toEqual([
      [41n, 1_000n, 7n, 5n, 'hello'],
      [42n, 1_000n, 0n, 5n, 'x'],
    ]);
    expect(messages[0]!.payload.buffer).toBe(payload.buffer); // views, no copies
    // Objects re-encode to the same bytes.
    expect(codec.encodeResponse(decoded)).toEqual(payload);
  });

  it('decodes an empty poll', () => {
    const payload = Buffer.from('000000000000000000000000' + '00000000', 'hex');
    expect(codec.decodeResponse(payload)).toEqual({ partitionId: 0, currentOffset: 0n, messages: [] });
  });

  it('rejects a count that disagrees with the messages, and cut or trailing bytes', () => {
    const run = encodePolledMessages([
      {
        checksum: 1n,
        id: 2n,
        offset: 3n,
        timestamp: 4n,
        originTimestamp: 5n,
        headers: [],
        payload: Buffer.from('p'),
      },
    ]);
    const ok = Buffer.concat([encodePollResponseHead(0, 3n, 1), run]);
    expect(() => codec.decodeResponse(ok)).not.toThrow();
    expect(() => codec.decodeResponse(Buffer.concat([encodePollResponseHead(0, 3n, 2), run]))).toThrow(
      ProtocolError,
    );
    expect(() => codec.decodeResponse(Buffer.concat([encodePollResponseHead(0, 3n, 0), run]))).toThrow(
      ProtocolError,
    );
    expect(() => codec.decodeResponse(ok.subarray(0, ok.length - 1))).toThrow(ProtocolError);
    expect(() => codec.decodeResponse(ok.subarray(0, 15))).toThrow(ProtocolError);
  });
});

describe('decodePollResponseRun', () => {
  it('gives the same messages as decodeResponse, kept encoded and decoded on demand', () => {
    fc.assert(
      fc.property(
        partitionIdArb,
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.array(polledMessageArb, { maxLength: 5 }),
        (partitionId, currentOffset, messages) => {
          const payload = codec.encodeResponse({ partitionId, currentOffset, messages });
          const polled = decodePollResponseRun(payload);
          expect(polled.partitionId).toBe(partitionId);
          expect(polled.currentOffset).toBe(currentOffset);
          expect(polled.messages.count).toBe(messages.length);
          expect(polled.messages.bytes.buffer).toBe(payload.buffer); // a view, no copy
          expect([...polled.messages.iterate()]).toEqual(messages);
          expect(polled.messages.decode()).toEqual(messages);
        },
      ),
    );
  });

  it('rejects what decodeResponse rejects', () => {
    const run = encodePolledMessages([
      {
        checksum: 1n,
        id: 2n,
        offset: 3n,
        timestamp: 4n,
        originTimestamp: 5n,
        headers: [],
        payload: Buffer.from('p'),
      },
    ]);
    for (const bad of [
      Buffer.concat([encodePollResponseHead(0, 3n, 2), run]),
      Buffer.concat([encodePollResponseHead(0, 3n, 0), run]),
      Buffer.concat([encodePollResponseHead(0, 3n, 1), run]).subarray(0, 16 + run.length - 1),
      Buffer.concat([encodePollResponseHead(0, 3n, 1), run, Buffer.from([0])]),
    ]) {
      expect(() => codec.decodeResponse(bad)).toThrow(ProtocolError);
      expect(() => decodePollResponseRun(bad)).toThrow(ProtocolError);
    }
  });
});
