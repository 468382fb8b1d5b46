import { BrokerError } from '../broker-error.js';
import type { IggyErrorName } from '../../protocol/codes/error-codes.js';
import {
  walkMessages,
  type FaultMapper,
  type MessageFaultKind,
} from '../../protocol/messages/message-walk.js';

/** The code the real server answers a send with, for each fault of its messages. */
const serverCodeOf: Record<MessageFaultKind, IggyErrorName> = {
  MissingMessage: 'InvalidMessagesCount',
  TruncatedHeader: 'InvalidMessagesSize',
  NonZeroReserved: 'InvalidReservedField',
  EmptyPayload: 'EmptyMessagePayload',
  PayloadTooLarge: 'TooBigMessagePayload',
  UserHeadersTooLarge: 'TooBigUserHeaders',
  TruncatedMessage: 'InvalidMessagesSize',
  TrailingBytes: 'InvalidMessagesSize',
};

const brokerFault: FaultMapper = (fault) => BrokerError.of(serverCodeOf[fault.kind], fault.detail);

/**
 * Checks a send's messages (wire layout, back to back) before anything is stored, with the codes the
 * real server answers (InvalidMessagesCount for no messages or fewer than `count`, the others in
 * `serverCodeOf`). Returns each message's end (exclusive), for the storage to stamp and index the batch
 * without walking it again.
 */
export function validateBatch(messages: Buffer, count: number): Uint32Array {
  if (!Number.isInteger(count) || count <= 0) {
    throw BrokerError.of('InvalidMessagesCount', `a send carries at least one message, got count ${count}`);
  }
  return walkMessages(messages, { count }, brokerFault);
}
