import type { CommandCodec } from '../command-codec.js';
import { deleteConsumerOffsetCodec, getOffsetCodec, storeOffsetCodec } from './consumer-offsets/index.js';
import { flushUnsavedBufferCodec, pollMessagesCodec, sendMessagesCodec } from './messages/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const messagesCodecs: readonly CommandCodec<any, any>[] = [
  pollMessagesCodec,
  sendMessagesCodec,
  flushUnsavedBufferCodec,
  getOffsetCodec,
  storeOffsetCodec,
  deleteConsumerOffsetCodec,
];
