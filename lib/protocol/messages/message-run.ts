import { nowMicros } from './clock.js';
import {
  encodeMessages,
  writeMessages,
  type MessagesMeasure,
  type OutgoingMessage,
  type PolledMessage,
} from './message-batch.js';
import { IndexEntryLayout, MessageLayout } from './message-layout.js';
import {
  decodeMessages,
  iterateMessages,
  messageEnds,
  validateMessages,
  type ValidateMessagesOptions,
} from './message-walk.js';

/**
 * Encoded messages back to back, exactly as the wire and the partition log carry them. What a
 * decoded send-messages request holds (a view into the request, no copy: the broker validates,
 * stamps and appends it as is), and what a client can pre-encode once and send.
 */
export class MessageRun {
  // ES private fields: remembered results, invisible to equality checks.
  #ends: readonly number[] | undefined;
  #index: Buffer | undefined;

  /** Wraps bytes that are already validated (see `MessageRun.validate`). */
  constructor(
    readonly bytes: Buffer,
    readonly count: number,
  ) {}

  /** Encodes outgoing messages; `now` (µs) is the origin timestamp of those that set none. */
  static encode(messages: readonly OutgoingMessage[], now: bigint = nowMicros()): MessageRun {
    return new MessageRun(encodeMessages(messages, now), messages.length);
  }

  /**
   * Encodes messages already validated and measured (`measureMessages`, or `measureMessage` one by
   * one), so nothing is measured twice; the run knows its message ends without walking them.
   */
  static encodeMeasured(
    messages: readonly OutgoingMessage[],
    measure: MessagesMeasure,
    now: bigint = nowMicros(),
  ): MessageRun {
    const bytes = Buffer.allocUnsafe(measure.runBytes);
    writeMessages(bytes, 0, -1, messages, measure, now);
    const ends = new Array<number>(messages.length);
    let end = 0;
    for (let i = 0; i < messages.length; i++) {
      end += MessageLayout.headerBytes + messages[i]!.payload.length + measure.headerBytes[i]!;
      ends[i] = end;
    }
    const run = new MessageRun(bytes, messages.length);
    run.#ends = ends;
    return run;
  }

  /** Validates `bytes` (see `validateMessages`) and wraps them. */
  static validate(bytes: Buffer, options: ValidateMessagesOptions = {}): MessageRun {
    const ends = validateMessages(bytes, options);
    const run = new MessageRun(bytes, ends.length);
    run.#ends = ends;
    return run;
  }

  /** The messages as objects (payloads are views into `bytes`). */
  decode(): PolledMessage[] {
    return decodeMessages(this.bytes, this.count);
  }

  /** The messages decoded one at a time, as iterated (payloads are views into `bytes`). */
  iterate(): IterableIterator<PolledMessage> {
    return iterateMessages(this.bytes);
  }

  /** Each message's end position (exclusive) within `bytes` (walked once, then remembered). */
  ends(): readonly number[] {
    this.#ends ??= messageEnds(this.bytes);
    return this.#ends;
  }

  /**
   * The index block a send-messages request carries for these messages (offset 0, end position,
   * timestamp 0 per message), built once: do not modify it.
   */
  indexBlock(): Buffer {
    if (this.#index) return this.#index;
    const ends = this.ends();
    const index = Buffer.alloc(ends.length * IndexEntryLayout.bytes);
    const view = new DataView(index.buffer, index.byteOffset, index.byteLength);
    for (let i = 0; i < ends.length; i++) {
      view.setUint32(i * IndexEntryLayout.bytes + IndexEntryLayout.position, ends[i]!, true);
    }
    this.#index = index;
    return index;
  }
}
