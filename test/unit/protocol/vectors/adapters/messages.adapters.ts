import {
  deleteConsumerOffsetCodec,
  getOffsetCodec,
  storeOffsetCodec,
  type ConsumerOffsetTarget,
} from '../../../../../lib/protocol/commands/consumer-offsets/index.js';
import {
  flushUnsavedBufferCodec,
  pollMessagesCodec,
  sendMessagesCodec,
  type SendMessagesRequest,
} from '../../../../../lib/protocol/commands/messages/index.js';
import type { OutgoingMessage } from '../../../../../lib/protocol/messages/message-batch.js';
import { uuidToMessageId } from '../../../../../lib/protocol/messages/message-id.js';
import { MessageRun } from '../../../../../lib/protocol/messages/message-run.js';
import type { Consumer } from '../../../../../lib/protocol/primitives/consumer.js';
import type { Identifier } from '../../../../../lib/protocol/primitives/identifier.js';
import { Partitioning } from '../../../../../lib/protocol/primitives/partitioning.js';
import type { PollingStrategy } from '../../../../../lib/protocol/primitives/polling-strategy.js';
import {
  HeaderKind,
  type HeaderEntry,
  type HeaderField,
} from '../../../../../lib/protocol/primitives/user-headers.js';
import type { AdapterTable } from '../vector-adapter.js';

/** The clock the vectors were recorded with; the official Node SDK writes it (in ms) as origin timestamp. */
export const VECTOR_ORIGIN_TIMESTAMP = 1_700_000_000_000n;

interface SdkField {
  kind: number;
  value: unknown;
}
interface SdkMessage {
  id?: bigint | number | string;
  payload: string | Buffer;
  headers?: { key: SdkField; value: SdkField }[];
}
interface SdkSend {
  streamId: Identifier;
  topicId: Identifier;
  messages: SdkMessage[];
  partition?: { kind: number; value: unknown };
}
interface SdkOffsetTarget {
  streamId: Identifier;
  topicId: Identifier;
  consumer: Consumer;
  partitionId: number | null;
}

/** The SDK's id forms: bigint, number, or a UUID string (its bytes in order = the LE u128). */
function messageId(id: SdkMessage['id']): bigint {
  if (id === undefined) return 0n;
  if (typeof id === 'string') return uuidToMessageId(id);
  return BigInt(id);
}

/** SDK header fields are ours, except that 128-bit integers are 16-byte LE buffers there. */
function headerField(f: SdkField): HeaderField {
  if ((f.kind === HeaderKind.Int128 || f.kind === HeaderKind.Uint128) && Buffer.isBuffer(f.value)) {
    const u = (f.value.readBigUInt64LE(8) << 64n) | f.value.readBigUInt64LE(0);
    return { kind: f.kind, value: f.kind === HeaderKind.Int128 ? BigInt.asIntN(128, u) : u };
  }
  return f as HeaderField;
}

function partitioning(p: SdkSend['partition']): Partitioning {
  if (!p || p.kind === 1) return Partitioning.balanced();
  if (p.kind === 2) return Partitioning.partitionId(p.value as number);
  return Partitioning.messagesKey(p.value as string | number | bigint | Buffer);
}

function sendRequest(input: unknown): SendMessagesRequest {
  const sdk = input as SdkSend;
  const messages: OutgoingMessage[] = sdk.messages.map((m) => ({
    id: messageId(m.id),
    payload: typeof m.payload === 'string' ? Buffer.from(m.payload, 'utf8') : m.payload,
    ...(m.headers
      ? {
          headers: m.headers.map((h): HeaderEntry => ({
            key: headerField(h.key),
            value: headerField(h.value),
          })),
        }
      : {}),
    originTimestamp: VECTOR_ORIGIN_TIMESTAMP,
  }));
  return {
    streamId: sdk.streamId,
    topicId: sdk.topicId,
    partitioning: partitioning(sdk.partition),
    messages,
  };
}

function offsetTarget(input: unknown): ConsumerOffsetTarget {
  const sdk = input as SdkOffsetTarget;
  return {
    consumer: sdk.consumer,
    streamId: sdk.streamId,
    topicId: sdk.topicId,
    partitionId: sdk.partitionId,
  };
}

/** Vector `command` name → adapter. */
export const messagesAdapters: AdapterTable = {
  SEND_MESSAGES: {
    codec: sendMessagesCodec,
    toRequest: sendRequest,
    // Decoding yields the validated encoded run, not objects.
    expectedDecoded: (input) => {
      const request = sendRequest(input);
      return { ...request, messages: MessageRun.encode(request.messages as OutgoingMessage[]) };
    },
  },
  POLL_MESSAGES: {
    codec: pollMessagesCodec,
    toRequest: (input) => {
      const sdk = input as SdkOffsetTarget & {
        pollingStrategy: PollingStrategy;
        count: number;
        autocommit: boolean;
      };
      return {
        ...offsetTarget(sdk),
        strategy: sdk.pollingStrategy,
        count: sdk.count,
        autoCommit: sdk.autocommit,
      };
    },
  },
  FLUSH_UNSAVED_BUFFERS: {
    codec: flushUnsavedBufferCodec,
    toRequest: (input) => {
      const sdk = input as { streamId: Identifier; topicId: Identifier; partitionId: number };
      // The official Node SDK drops `fsync` (its command never passes it on) and always sends 0.
      return { streamId: sdk.streamId, topicId: sdk.topicId, partitionId: sdk.partitionId, fsync: false };
    },
  },
  STORE_OFFSET: {
    codec: storeOffsetCodec,
    toRequest: (input) => ({ ...offsetTarget(input), offset: (input as { offset: bigint }).offset }),
  },
  GET_OFFSET: { codec: getOffsetCodec, toRequest: offsetTarget },
  DELETE_OFFSET: { codec: deleteConsumerOffsetCodec, toRequest: offsetTarget },
};
