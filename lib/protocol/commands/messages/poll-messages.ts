import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { encodePolledMessages, type PolledMessage } from '../../messages/message-batch.js';
import { MessageRun } from '../../messages/message-run.js';
import { decodeMessages } from '../../messages/message-decode.js';
import {
  readPollingStrategy,
  writePollingStrategy,
  type PollingStrategy,
} from '../../primitives/polling-strategy.js';
import {
  readConsumerOffsetTarget,
  writeConsumerOffsetTarget,
  type ConsumerOffsetTarget,
} from '../consumer-offsets/consumer-offset.layout.js';
import { decodePayload, encodePayload, readFlag, writeFlag } from '../payload.js';

export interface PollMessagesRequest extends ConsumerOffsetTarget {
  strategy: PollingStrategy;
  /** Most messages to return. */
  count: number;
  /** Store the offset of the last returned message before answering (at-most-once). */
  autoCommit: boolean;
}

/** What a poll returns. */
export interface PolledMessages {
  /** The partition the messages come from (0-based). */
  partitionId: number;
  /** The partition's current (last) offset. */
  currentOffset: bigint;
  /**
   * The messages. `decodeResponse` gives objects (payloads are views into the response); a broker
   * answers with a `MessageRun` read from its log, which is sent as is.
   */
  messages: readonly PolledMessage[] | MessageRun;
}

/** A poll's answer with the messages kept encoded (see `decodePollResponseRun`). */
export interface PolledRun extends PolledMessages {
  messages: MessageRun;
}

/** Bytes before the messages in a poll response. */
export const POLL_RESPONSE_HEAD_BYTES = 16;

/** The head of a poll response, `u32 partition id` · `u64 current offset` · `u32 count`, for vectored writes. */
export function encodePollResponseHead(partitionId: number, currentOffset: bigint, count: number): Buffer {
  return encodePayload((w) => w.u32(partitionId).u64(currentOffset).u32(count), POLL_RESPONSE_HEAD_BYTES);
}

function encodePolled(response: PolledMessages): Buffer {
  const { messages } = response;
  const run = messages instanceof MessageRun ? messages.bytes : encodePolledMessages(messages);
  const count = messages instanceof MessageRun ? messages.count : messages.length;
  const buf = Buffer.allocUnsafe(POLL_RESPONSE_HEAD_BYTES + run.length);
  encodePollResponseHead(response.partitionId, response.currentOffset, count).copy(buf, 0);
  run.copy(buf, POLL_RESPONSE_HEAD_BYTES);
  return buf;
}

function decodePolled(payload: Buffer): PolledMessages {
  return decodePayload(payload, 'PollMessages response', (r) => {
    const partitionId = r.u32('partition id');
    const currentOffset = r.u64('current offset');
    const count = r.u32('messages count');
    const messages = decodeMessages(r.bytes(r.remaining, 'messages'), count, r.context);
    return { partitionId, currentOffset, messages };
  });
}

/**
 * Decodes a poll response as `pollMessagesCodec` does, but keeps the messages encoded: a `MessageRun`
 * (a view into `payload`) to decode on demand. Their framing is checked here; their user headers when
 * they are read (`decode()`, or a reader walking them), each failure a `ProtocolError` as here.
 */
export function decodePollResponseRun(payload: Buffer): PolledRun {
  return decodePayload(payload, 'PollMessages response', (r) => {
    const partitionId = r.u32('partition id');
    const currentOffset = r.u64('current offset');
    const count = r.u32('messages count');
    const bytes = r.bytes(r.remaining, 'messages');
    const messages = MessageRun.walk(bytes, { count, context: r.context });
    return { partitionId, currentOffset, messages };
  });
}

/**
 * PollMessages (100): consumer · stream · topic · optional partition · strategy (`u8 kind` ·
 * `u64 value`) · `u32 count` · `u8 auto commit`. Answer: `u32 partition id` · `u64 current offset` ·
 * `u32 count` · the messages back to back.
 */
export const pollMessagesCodec: CommandCodec<PollMessagesRequest, PolledMessages> = {
  name: 'PollMessages',
  code: CommandCode.PollMessages,
  encodeRequest: (request) =>
    encodePayload((w) => {
      writeConsumerOffsetTarget(w, request);
      writePollingStrategy(w, request.strategy);
      w.u32(request.count);
      writeFlag(w, request.autoCommit);
    }),
  decodeRequest: (payload) =>
    decodePayload(payload, 'PollMessages request', (r) => {
      const target = readConsumerOffsetTarget(r);
      const strategy = readPollingStrategy(r);
      const count = r.u32('count');
      const autoCommit = readFlag(r, 'auto commit');
      return { ...target, strategy, count, autoCommit };
    }),
  encodeResponse: encodePolled,
  decodeResponse: decodePolled,
};
