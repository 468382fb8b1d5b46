import type { ReceivedMessage } from '../../../lib/connectors/message-subscriber.js';
import type { PublishRequest } from '../../../lib/connectors/publish-request.js';
import { uuidToMessageId } from '../../../lib/protocol/messages/message-id.js';
import { decodeUserHeaders, encodeUserHeaders } from '../../../lib/protocol/primitives/user-headers.js';

/** What a subscriber would hand over for a published request: headers through their real wire encoding. */
export function received(
  request: PublishRequest,
  at: { partition?: number; offset?: bigint; payload?: Buffer } = {},
): ReceivedMessage {
  return {
    stream: request.stream ?? 'rustok',
    topic: request.topic ?? 'domain',
    partition: at.partition ?? 0,
    offset: at.offset ?? 0n,
    timestamp: 1_700_000_000_000_000n,
    id: uuidToMessageId(request.eventId),
    payload: at.payload ?? request.payload,
    headers: decodeUserHeaders(encodeUserHeaders(request.headers)),
  };
}
