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
  /** The epoch of the session it was polled on (see `ConnectorSession.epoch`). */
  #sessionEpoch: number;
  /** How many times its partition had been found cut (its log shorter than what was read of it) when it was polled. */
  #cuts: number;

  constructor(
    readonly stream: string,
    readonly topic: string,
    readonly partition: number,
    readonly offset: bigint,
    readonly timestamp: bigint,
    readonly id: bigint,
    readonly payload: Buffer,
    encodedHeaders: Buffer,
    sessionEpoch = 0,
    cuts = 0,
  ) {
    this.#encoded = encodedHeaders;
    this.#sessionEpoch = sessionEpoch;
    this.#cuts = cuts;
  }

  /**
   * How many times `message`'s partition had been found cut when it was polled (0 when it is not one of
   * these): a message of a later cut may reuse an offset already handed out, and is a new message.
   */
  static cutsOf(message: ReceivedMessage): number {
    return message instanceof SubscribedMessage ? message.#cuts : 0;
  }

  get headers(): UserHeaders {
    this.#headers ??= decodeUserHeaders(this.#encoded);
    return this.#headers;
  }

  /** The epoch of the session `message` was polled on, when it is one of these. */
  static sessionEpochOf(message: ReceivedMessage): number | undefined {
    return message instanceof SubscribedMessage ? message.#sessionEpoch : undefined;
  }

  /** The encoded user headers of `message` when it is one of these (empty when it has none). */
  static encodedHeaders(message: ReceivedMessage): Buffer | undefined {
    return message instanceof SubscribedMessage ? message.#encoded : undefined;
  }
}

/**
 * The messages of a polled run of `partition` (on the session of `sessionEpoch`, after `cuts` cuts of the
 * partition) as a subscription hands them out.
 */
export function subscribedMessages(
  stream: string,
  topic: string,
  partition: number,
  run: MessageRun,
  sessionEpoch = 0,
  cuts = 0,
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
      sessionEpoch,
      cuts,
    );
  });
}
