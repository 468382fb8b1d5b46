import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import { IggyErrorCode } from '../../codes/error-codes.js';
import { nowMicros } from '../../messages/clock.js';
import { measureMessages, writeMessages, type OutgoingMessage } from '../../messages/message-batch.js';
import { IndexEntryLayout } from '../../messages/message-layout.js';
import { MessageRun } from '../../messages/message-run.js';
import type { BinaryReader } from '../../primitives/binary-reader.js';
import type { Identifier } from '../../primitives/identifier.js';
import { readPartitioning, writePartitioning, type Partitioning } from '../../primitives/partitioning.js';
import { ProtocolError } from '../../protocol-error.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty } from '../payload.js';
import { readTopicTarget, writeTopicTarget } from '../topics/topic.layout.js';

export interface SendMessagesRequest {
  streamId: Identifier;
  topicId: Identifier;
  partitioning: Partitioning;
  /**
   * Messages to encode, or an encoded run. `decodeRequest` gives a `MessageRun` that is a validated
   * view into the request payload, so a broker can stamp and store it without copying. A client writes
   * a run's bytes without copying them: leave them unchanged until the send resolves.
   */
  messages: readonly OutgoingMessage[] | MessageRun;
}

const CONTEXT = 'SendMessages request';

function noMessages(): ProtocolError {
  return new ProtocolError('InvalidValue', `${CONTEXT}: no messages`, IggyErrorCode.InvalidMessagesCount);
}

/**
 * Encodes the request: `u32 metadata length` · stream · topic · partitioning · `u32 count` (the
 * metadata) · index block (16 bytes per message) · the messages. Objects are encoded in one
 * allocation; an encoded run is not copied: it is the second part, after the rest.
 */
export function encodeSendMessagesParts(request: SendMessagesRequest): Buffer[] {
  const { messages } = request;
  const count = messages instanceof MessageRun ? messages.count : messages.length;
  if (count === 0) throw noMessages();
  const metaBytes = encodePayload((w) => {
    writeTopicTarget(w, request);
    writePartitioning(w, request.partitioning);
    w.u32(count);
  });
  const indexAt = 4 + metaBytes.length;
  const runAt = indexAt + count * IndexEntryLayout.bytes;

  if (messages instanceof MessageRun) {
    if (messages.ends().length !== count) {
      throw new ProtocolError(
        'LengthMismatch',
        `${CONTEXT}: run holds ${messages.ends().length} messages, count says ${count}`,
      );
    }
    const head = Buffer.allocUnsafe(runAt);
    head.writeUInt32LE(metaBytes.length, 0);
    metaBytes.copy(head, 4);
    messages.indexBlock().copy(head, indexAt);
    return [head, messages.bytes];
  }

  const measure = measureMessages(messages);
  const buf = Buffer.allocUnsafe(runAt + measure.runBytes);
  buf.writeUInt32LE(metaBytes.length, 0);
  metaBytes.copy(buf, 4);
  writeMessages(buf, runAt, indexAt, messages, measure, nowMicros());
  return [buf];
}

function encodeSendMessages(request: SendMessagesRequest): Buffer {
  const parts = encodeSendMessagesParts(request);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

function decodeSendMessages(payload: Buffer): SendMessagesRequest {
  return decodePayload(payload, CONTEXT, readSendMessages);
}

function readSendMessages(r: BinaryReader): SendMessagesRequest {
  const metadataLength = r.u32('metadata length');
  const metaStart = r.offset;
  const { streamId, topicId } = readTopicTarget(r);
  const partitioning = readPartitioning(r);
  const count = r.u32('messages count');
  if (r.offset - metaStart !== metadataLength) {
    throw new ProtocolError(
      'LengthMismatch',
      `${CONTEXT}: metadata length says ${metadataLength} bytes, the metadata is ${r.offset - metaStart}`,
      IggyErrorCode.InvalidCommand,
    );
  }
  if (count === 0) throw noMessages();
  const index = r.bytes(count * IndexEntryLayout.bytes, 'index block');
  const run = r.bytes(r.remaining, 'messages');
  const messages = MessageRun.validate(run, { count, index, context: CONTEXT });
  return { streamId, topicId, partitioning, messages };
}

/** SendMessages (101): metadata, index block and messages (see `encodeSendMessages`); empty answer. */
export const sendMessagesCodec: CommandCodec<SendMessagesRequest, void> = {
  name: 'SendMessages',
  code: CommandCode.SendMessages,
  encodeRequest: encodeSendMessages,
  decodeRequest: decodeSendMessages,
  encodeResponse: () => emptyPayload(),
  decodeResponse: (payload) => expectEmpty(payload, 'SendMessages response'),
};
