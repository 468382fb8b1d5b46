import type { IggyContext } from '../../consumer/iggy.context.js';

/** What `IggyServer.on` listens to. */
export type IggyServerEvents = {
  /** A transport failure (poll, commit, reply); the server goes on. */
  error: (error: unknown) => void;
  /**
   * An `@EventPattern` handler failed for good (after the DLQ interceptor's retries and Nest's exception
   * filters). Its message is not committed: it is dead-lettered if the DLQ takes it, else its partition
   * stalls and the message is delivered again with the retry backoff (see `stalled()`).
   */
  handlerError: (error: unknown, context: IggyContext) => void;
};
