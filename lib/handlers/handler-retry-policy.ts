import type { MaybePromise } from '../common/maybe-promise.js';
import type { IggyContext } from '../consumer/iggy.context.js';

/** The handler a call runs: `Class.method`, and the method (a DLQ interceptor claims a call by it). */
export interface HandlerIdentity {
  name: string;
  method: unknown;
}

/**
 * The retries and dead-lettering of an `@IggyEventHandler` call (`IggyDlqInterceptor`'s policy) as a
 * promise. Where that interceptor is the only enhancer Nest would apply to a handler, `HandlerExplorer`
 * calls the handler through this instead of Nest's Observable pipeline: the same outcome for about half
 * the CPU per event.
 */
export interface HandlerRetryPolicy {
  /**
   * `attempt` runs the pipes and the method once; it is called again for each retry. A call that
   * succeeds at once returns its result as it is (a promise only when `attempt` gave one).
   */
  run(
    context: IggyContext,
    handler: HandlerIdentity,
    attempt: () => MaybePromise<unknown>,
  ): MaybePromise<unknown>;
}

/** The policy the DLQ providers register (the global interceptor itself). */
export const IGGY_HANDLER_RETRY_POLICY = Symbol('IGGY_HANDLER_RETRY_POLICY');
