import { nowMicros } from './clock.js';
import {
  encodeMessages,
  writeMessages,
  type MessagesMeasure,
  type OutgoingMessage,
  type PolledMessage,
} from './message-batch.js';
import { dataViewOf } from './buffer-view.js';
import {
  decodeWalked,
  iterateWalked,
  protocolFault,
  validateMessages,
  type ValidateMessagesOptions,
} from './message-decode.js';
import { IndexEntryLayout, MessageLayout } from './message-layout.js';
import { walkMessages } from './message-walk.js';

/**
 * Encoded messages back to back, exactly as the wire and the partition log carry them. What a
 * decoded send-messages request holds (a view into the request, no copy: the broker validates,
 * stamps and appends it as is), and what a client can pre-encode once and send.
 */
export class MessageRun {
  // ES private fields: remembered results, invisible to equality checks.
  #ends: Uint32Array | undefined;
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
    const ends = new Uint32Array(messages.length);
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

  /**
   * Checks the framing of `bytes` only (`walkMessages`: the count, each message's lengths, no trailing
   * bytes) and wraps them; user headers are checked when they are read (a poll's reader needs only some).
   */
  static walk(bytes: Buffer, options: { count?: number; context?: string } = {}): MessageRun {
    const { count, context = 'messages' } = options;
    const ends = walkMessages(bytes, { count, allowEmpty: true }, protocolFault(context));
    const run = new MessageRun(bytes, ends.length);
    run.#ends = ends;
    return run;
  }

  /** The messages as objects (payloads are views into `bytes`). */
  decode(): PolledMessage[] {
    return decodeWalked(this.bytes, this.ends());
  }

  /** The messages decoded one at a time, as iterated (payloads are views into `bytes`). */
  iterate(): IterableIterator<PolledMessage> {
    return iterateWalked(this.bytes, this.ends());
  }

  /**
   * Each message's end position (exclusive) within `bytes`, walked once (a `ProtocolError` when the
   * bytes are not `count` messages), then remembered: do not modify it.
   */
  ends(): Uint32Array {
    this.#ends ??= walkMessages(
      this.bytes,
      { count: this.count, allowEmpty: true },
      protocolFault('messages'),
    );
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
    const view = dataViewOf(index);
    for (let i = 0; i < ends.length; i++) {
      view.setUint32(i * IndexEntryLayout.bytes + IndexEntryLayout.position, ends[i]!, true);
    }
    this.#index = index;
    return index;
  }
}
