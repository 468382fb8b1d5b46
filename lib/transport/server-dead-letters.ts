import type { ReceivedMessage } from '../connectors/message-subscriber.js';
import type { EventMeta } from '../events/envelope-headers.js';
import type { DeadLetterSink } from '../consumer/dead-letter-sink.js';
import type { IggyContext } from './iggy.context.js';
import { describeError } from './transport-support.js';

/** Where `IggyServer` logs. */
interface ServerLogger {
  warn(message: string): void;
  error(message: string): void;
}

/**
 * The dead letters `IggyServer` writes itself, through the module's `DeadLetterSink` (the DLQ
 * interceptor writes those of the calls it owns): messages no handler can be given, and failed calls no
 * interceptor owned. Each method resolves once the message may be committed and throws while it may not.
 */
export class ServerDeadLetters {
  private warnedUnowned = false;

  constructor(
    private readonly sink: DeadLetterSink | undefined,
    private readonly group: string,
    private readonly logger: ServerLogger,
  ) {}

  /**
   * An event handler call failed for good. One the DLQ interceptor owned was retried already and could
   * not be dead-lettered (DLQ off, or the write failed): it throws, and the message waits. One no
   * interceptor owned (a guard refused the event, or the app's global interceptors do not reach the
   * server) is dead-lettered here at once, as the consumer groups do; without a DLQ it throws too.
   */
  async unowned(err: unknown, context: IggyContext, event: EventMeta): Promise<void> {
    if (context.isClaimed() || !this.sink?.enabled) throw err;
    if (!this.warnedUnowned) {
      this.warnedUnowned = true;
      this.logger.warn(
        `handler '${context.getPattern()}' failed and no IggyDlqInterceptor owned the call, so it is ` +
          'dead-lettered without retries. Unless a guard refused the event, the global interceptors of the ' +
          'app do not reach this server: connect it with app.connectMicroservice({ strategy }, ' +
          '{ inheritAppConfig: true })',
      );
    }
    const id = await this.sink.deadLetter({
      message: context.getMessage(),
      event,
      group: this.group,
      handler: context.getPattern(),
      error: asError(err),
      attempts: 1,
    });
    context.markDeadLettered(id);
    this.logger.error(
      `handler '${context.getPattern()}' failed on '${context.getEventType()}' (tenant ` +
        `${context.getTenantId()}, partition ${context.getPartition()}, offset ${context.getOffset()}); ` +
        `dead letter ${id}: ${describeError(err)}`,
    );
  }

  /** A message no handler can be given (unreadable headers or payload): dead-lettered, or skipped without a DLQ. */
  async unreadable(
    message: ReceivedMessage,
    event: EventMeta | undefined,
    handler: string,
    err: unknown,
  ): Promise<void> {
    const where = `'${message.topic}' partition ${message.partition} offset ${message.offset}`;
    if (this.sink?.enabled) {
      const id = await this.sink.deadLetter({
        message,
        event,
        group: this.group,
        handler,
        error: err,
        attempts: 0,
      });
      this.logger.error(`unreadable message at ${where}; dead letter ${id}: ${describeError(err)}`);
      return;
    }
    this.logger.warn(`skipping unreadable message at ${where} (no DLQ): ${describeError(err)}`);
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
