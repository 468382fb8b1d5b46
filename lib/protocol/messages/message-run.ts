import { nowMicros } from './clock.js';
import { encodeMessages, type OutgoingMessage, type PolledMessage } from './message-batch.js';
import {
  decodeMessages,
  messageEndAt,
  validateMessages,
  type ValidateMessagesOptions,
} from './message-walk.js';

/**
 * Encoded messages back to back, exactly as the wire and the partition log carry them. What a
 * decoded send-messages request holds (a view into the request, no copy: the broker validates,
 * stamps and appends it as is), and what a client can pre-encode once and send.
 */
export class MessageRun {
  /** Wraps bytes that are already validated (see `MessageRun.validate`). */
  constructor(
    readonly bytes: Buffer,
    readonly count: number,
  ) {}

  /** Encodes outgoing messages; `now` (µs) is the origin timestamp of those that set none. */
  static encode(messages: readonly OutgoingMessage[], now: bigint = nowMicros()): MessageRun {
    return new MessageRun(encodeMessages(messages, now), messages.length);
  }

  /** Validates `bytes` (see `validateMessages`) and wraps them. */
  static validate(bytes: Buffer, options: ValidateMessagesOptions = {}): MessageRun {
    return new MessageRun(bytes, validateMessages(bytes, options).length);
  }

  /** The messages as objects (payloads are views into `bytes`). */
  decode(): PolledMessage[] {
    return decodeMessages(this.bytes, this.count);
  }

  /** Each message's end position (exclusive) within `bytes`. */
  ends(): number[] {
    const ends: number[] = [];
    for (let pos = 0; pos < this.bytes.length;) {
      pos = messageEndAt(this.bytes, pos, 'messages', true);
      ends.push(pos);
    }
    return ends;
  }
}
