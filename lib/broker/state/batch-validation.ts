import { BrokerError } from '../broker-error.js';
import { Limits } from '../../protocol/limits.js';
import { MessageLayout } from '../../protocol/messages/message-layout.js';

const HEADER = MessageLayout.headerBytes;

/**
 * Checks a send's messages (wire layout, back to back) before anything is stored, with the codes the
 * real server answers: InvalidMessagesCount (4009) for no messages or fewer than `count`,
 * InvalidReservedField (4101), EmptyMessagePayload (4024), TooBigMessagePayload (4022),
 * TooBigUserHeaders (4017), InvalidMessagesSize (4036) when the lengths do not add up to the buffer.
 * Returns each message's end (exclusive), for the storage to stamp and index the batch without walking it again.
 */
export function validateBatch(messages: Buffer, count: number): Uint32Array {
  if (!Number.isInteger(count) || count <= 0) {
    throw BrokerError.of('InvalidMessagesCount', `a send carries at least one message, got count ${count}`);
  }
  const view = new DataView(messages.buffer, messages.byteOffset, messages.byteLength);
  const ends = new Uint32Array(count);
  let position = 0;
  for (let i = 0; i < count; i++) {
    if (position === messages.length) {
      throw BrokerError.of(
        'InvalidMessagesCount',
        `count is ${count}, but the batch holds only ${i} messages`,
      );
    }
    if (messages.length - position < HEADER) {
      throw BrokerError.of(
        'InvalidMessagesSize',
        `message ${i} at byte ${position}: ${messages.length - position} bytes left, a header needs ${HEADER}`,
      );
    }
    if (
      view.getUint32(position + MessageLayout.reserved, true) !== 0 ||
      view.getUint32(position + MessageLayout.reserved + 4, true) !== 0
    ) {
      const reserved = messages.readBigUInt64LE(position + MessageLayout.reserved);
      throw BrokerError.of('InvalidReservedField', `message ${i}: reserved field is ${reserved}, expected 0`);
    }
    const payload = view.getUint32(position + MessageLayout.payloadLength, true);
    const headers = view.getUint32(position + MessageLayout.userHeadersLength, true);
    if (payload === 0) throw BrokerError.of('EmptyMessagePayload', `message ${i} has an empty payload`);
    if (payload > Limits.maxMessagePayloadBytes) {
      throw BrokerError.of(
        'TooBigMessagePayload',
        `message ${i}: payload of ${payload} B exceeds ${Limits.maxMessagePayloadBytes} B`,
      );
    }
    if (headers > Limits.maxUserHeadersBytes) {
      throw BrokerError.of(
        'TooBigUserHeaders',
        `message ${i}: user headers of ${headers} B exceed ${Limits.maxUserHeadersBytes} B`,
      );
    }
    const length = HEADER + payload + headers;
    if (length > messages.length - position) {
      throw BrokerError.of(
        'InvalidMessagesSize',
        `message ${i} at byte ${position} is ${length} B long, past the end of the ${messages.length}-byte batch`,
      );
    }
    position += length;
    ends[i] = position;
  }
  if (position !== messages.length) {
    throw BrokerError.of(
      'InvalidMessagesSize',
      `${count} messages end at byte ${position}, but the batch is ${messages.length} bytes`,
    );
  }
  return ends;
}
