import { bufferView } from '../protocol/messages/buffer-view.js';
import { mapWalked, payloadEnd, readId } from '../protocol/messages/message-decode.js';
import { MessageLayout } from '../protocol/messages/message-layout.js';
import type { MessageRun } from '../protocol/messages/message-run.js';
import { decodeUserHeaders, type UserHeaders } from '../protocol/primitives/user-headers.js';
import type { ReceivedMessage } from './message-subscriber.js';

/**
 * A polled message as a subscription hands it out, read from the poll's bytes: its fields at once, its
 * user headers when first read. Routing reads the envelope's headers from the bytes (`encodedHeaders`),
 * so most messages never build header objects (a tenth of a consumer's work per message). Headers that
 * turn out malformed throw their `ProtocolError` when read.
 */
export class SubscribedMessage implements ReceivedMessage {
  // ES private fields: invisible to equality checks and spreads, like a decoded message's own state.
  #encoded: Buffer;
  #headers: UserHeaders | undefined;

  constructor(
    readonly stream: string,
    readonly topic: string,
    readonly partition: number,
    readonly offset: bigint,
    readonly timestamp: bigint,
    readonly id: bigint,
    readonly payload: Buffer,
    encodedHeaders: Buffer,
  ) {
    this.#encoded = encodedHeaders;
  }

  get headers(): UserHeaders {
    this.#headers ??= decodeUserHeaders(this.#encoded);
    return this.#headers;
  }

  /** The encoded user headers of `message` when it is one of these (empty when it has none). */
  static encodedHeaders(message: ReceivedMessage): Buffer | undefined {
    return message instanceof SubscribedMessage ? message.#encoded : undefined;
  }
}

/** The messages of a polled run of `partition` as a subscription hands them out. */
export function subscribedMessages(
  stream: string,
  topic: string,
  partition: number,
  run: MessageRun,
): SubscribedMessage[] {
  if (run.count === 0) return [];
  return mapWalked(run.bytes, run.ends(), (bytes, view, at, end) => {
    const headersAt = payloadEnd(view, at);
    return new SubscribedMessage(
      stream,
      topic,
      partition,
      view.getBigUint64(at + MessageLayout.offset, true),
      view.getBigUint64(at + MessageLayout.timestamp, true),
      readId(view, at),
      bufferView(bytes, at + MessageLayout.headerBytes, headersAt),
      bufferView(bytes, headersAt, end),
    );
  });
}
