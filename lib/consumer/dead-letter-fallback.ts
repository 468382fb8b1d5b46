import type { ReceivedMessage } from '../connectors/message-subscriber.js';
import type { EventMeta } from '../events/envelope-headers.js';
import { type ConsumerLogger } from './consumer-logger.js';
import type { DeadLetterSink } from './dead-letter-sink.js';
import type { IggyContext } from './iggy.context.js';
import { describeError } from '../common/error-text.js';

/**
 * The dead letters the consumer writes itself, through the module's `DeadLetterSink` (the DLQ
 * interceptor writes those of the calls it owns): messages no handler can be given, and failed calls no
 * interceptor owned. Each method resolves once the message may be committed and throws while it may not.
 */
export class DeadLetterFallback {
  private warnedUnowned = false;

  constructor(
    private readonly sink: DeadLetterSink | undefined,
    private readonly group: string,
    private readonly logger: ConsumerLogger,
    /** Said once when a failed call no interceptor owned is dead-lettered (how to get retries). */
    private readonly unownedHint?: string,
  ) {}

  /**
   * A handler call failed for good and no DLQ interceptor owned it (a guard refused the event, or no
   * interceptor reaches the handler): it is dead-lettered at once, without retries. Without a DLQ it
   * throws (the message is not committed, its partition stalls).
   */
  async unowned(error: unknown, context: IggyContext): Promise<void> {
    if (!this.sink?.enabled) throw error;
    if (this.unownedHint && !this.warnedUnowned) {
      this.warnedUnowned = true;
      this.logger.warn(this.unownedHint);
    }
    const id = await this.sink.deadLetter({
      message: context.getMessage(),
      event: context.getEvent(),
      group: this.group,
      handler: context.getHandlerName(),
      error: asError(error),
      attempts: 1,
    });
    context.markDeadLettered(id);
    this.logger.error(
      `handler '${context.getHandlerName()}' failed on '${context.getEventType()}' (tenant ` +
        `${context.getTenantId()}, partition ${context.getPartition()}, offset ${context.getOffset()}); ` +
        `dead letter ${id}: ${describeError(error)}`,
    );
  }

  /**
   * A message no handler can be given (unreadable headers or payload): dead-lettered (true), or skipped
   * with a warning when there is no DLQ (false).
   */
  async unreadable(
    message: ReceivedMessage,
    event: EventMeta | undefined,
    handler: string,
    error: unknown,
  ): Promise<boolean> {
    const where = `'${message.topic}' partition ${message.partition} offset ${message.offset}`;
    if (this.sink?.enabled) {
      const id = await this.sink.deadLetter({
        message,
        event,
        group: this.group,
        handler,
        error,
        attempts: 0,
      });
      this.logger.error(`unreadable message at ${where}; dead letter ${id}: ${describeError(error)}`);
      return true;
    }
    this.logger.warn(`skipping unreadable message at ${where} (no DLQ): ${describeError(error)}`);
    return false;
  }
}

/**
 * Nest's exception filter turns an error into plain data (`{ status, message }`); a dead letter wants an
 * `Error` with a name and a message.
 */
export function asError(err: unknown): unknown {
  if (err instanceof Error || typeof err !== 'object' || err === null) return err;
  const name = (err as { name?: unknown }).name;
  const error = new Error(describeError(err), { cause: err });
  error.name = typeof name === 'string' ? name : 'RpcError';
  return error;
}
