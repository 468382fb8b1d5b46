import { randomUUID } from 'node:crypto';
import type { WritePacket } from '@nestjs/microservices';
import type { ReceivedMessage } from '../connectors/message-subscriber.js';
import { PublishRequest } from '../connectors/publish-request.js';
import type { SerializerRegistry } from '../events/serializer-registry.js';
import type { Serializer } from '../events/serializer.js';
import {
  Header,
  HeaderKind,
  headersByStringKey,
  type UserHeaders,
} from '../protocol/primitives/user-headers.js';
import type { IggyRequestInfo } from '../consumer/iggy.context.js';
import { IggyReplyHeader } from '../consumer/consumer.constants.js';
import { describeError } from '../common/error-text.js';

/** The headers that turn an envelope message into a request. */
export function requestHeaders(info: IggyRequestInfo): UserHeaders {
  const headers = [
    { key: Header.string(IggyReplyHeader.requestId), value: Header.string(info.requestId) },
    { key: Header.string(IggyReplyHeader.replyTo), value: Header.string(info.replyTo) },
    { key: Header.string(IggyReplyHeader.replyKey), value: Header.string(info.replyKey) },
  ];
  if (info.deadline !== undefined) {
    headers.push({
      key: Header.string(IggyReplyHeader.deadline),
      value: Header.string(String(info.deadline)),
    });
  }
  return headers;
}

/** What a reply message carries: Nest's `WritePacket` without `isDisposed` (that is the `reply_end` header). */
interface ReplyBody {
  response?: unknown;
  err?: unknown;
}

/**
 * One reply (a `WritePacket` of the handler's response stream) as a message to the requester's partition
 * of the reply topic: partition key = its instance id, so only that instance's partition holds it. A
 * response the serializer refuses is replaced by an error saying so (the caller gets an answer).
 */
export function encodeReply(
  packet: WritePacket,
  request: IggyRequestInfo,
  stream: string,
  serializer: Serializer,
): PublishRequest {
  const body: ReplyBody = {};
  if (packet.response !== undefined) body.response = packet.response;
  if (packet.err !== undefined && packet.err !== null) body.err = plainError(packet.err);
  const headers: UserHeaders = [
    { key: Header.string(IggyReplyHeader.requestId), value: Header.string(request.requestId) },
    { key: Header.string(IggyReplyHeader.contentType), value: Header.string(serializer.contentType) },
  ];
  if (packet.isDisposed) headers.push({ key: Header.string(IggyReplyHeader.end), value: Header.string('1') });
  let payload: Buffer;
  try {
    payload = serializer.serialize(body);
  } catch (err) {
    const failure = { status: 'error', message: `the reply could not be serialized: ${describeError(err)}` };
    payload = serializer.serialize({ err: failure });
  }
  return PublishRequest.new(stream, request.replyTo, request.replyKey, payload, randomUUID()).withHeaders(
    headers,
  );
}

/** The request id of a reply message (headers only), or `undefined` when it is not a reply. */
export function replyRequestId(message: ReceivedMessage): string | undefined {
  const field = headersByStringKey(message.headers).get(IggyReplyHeader.requestId);
  return field?.kind === HeaderKind.String ? field.value : undefined;
}

/** A reply message back into Nest's `WritePacket`. Throws `SerializationError` on an undecodable body. */
export function decodeReply(message: ReceivedMessage, serializers: SerializerRegistry): WritePacket {
  const headers = headersByStringKey(message.headers);
  const type = headers.get(IggyReplyHeader.contentType);
  const serializer = type?.kind === HeaderKind.String ? serializers.get(type.value) : serializers.default;
  const body = (serializer.deserialize(message.payload) ?? {}) as ReplyBody;
  const packet: WritePacket = {};
  if (body.response !== undefined) packet.response = body.response;
  if (body.err !== undefined && body.err !== null) packet.err = body.err;
  if (headers.has(IggyReplyHeader.end)) packet.isDisposed = true;
  return packet;
}

/** Errors travel as plain data: an `Error` keeps its name and message, anything else goes as it is. */
function plainError(err: unknown): unknown {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return err;
}
