import type { ReceivedMessage } from '../connectors/message-subscriber.js';
import type { EventMeta } from '../events/envelope-headers.js';

/** A message that failed for good, to be written to the dead-letter topic. */
export interface FailedMessage {
  message: ReceivedMessage;
  /** The envelope's metadata when the headers could be read. */
  event: EventMeta | undefined;
  group: string;
  /**
   * The handler (`Class.method`, or an `IggyServer` pattern); several joined by `,` when the payload
   * could not be decoded for any of them; `(routing)` when the headers are unreadable.
   */
  handler: string;
  error: unknown;
  /** Calls made (0 when the handler was never reached). */
  attempts: number;
}

/**
 * Where `IggyServer` and the `@IggyEventHandler` consumer groups send a message they cannot hand to a
 * handler (unreadable headers, undecodable payload, a guard that refused it, a call no DLQ interceptor
 * owned). `lib/dlq` provides it (`DeadLetterWriter`); without one, unreadable messages are logged and
 * skipped, and failed calls stall their partition.
 */
export interface DeadLetterSink {
  /** Whether dead-lettering is on (`dlq.enabled`). */
  readonly enabled: boolean;
  /** Writes the dead letter and resolves its id; throws when it could not (nothing is committed then). */
  deadLetter(entry: FailedMessage): Promise<string>;
}

/** Token of the optional `DeadLetterSink`. */
export const IGGY_DEAD_LETTER_SINK = Symbol('IGGY_DEAD_LETTER_SINK');
