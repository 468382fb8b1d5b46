import type { MaybePromise } from '../common/maybe-promise.js';
import type { PartitionLag } from '../connectors/iggy-connector.js';
import type { GroupAssignment, ReceivedMessage } from '../connectors/message-subscriber.js';
import type { Delivery } from './delivery.js';
import type { DispatchResult } from './dispatcher.js';
import type { IggyContext } from './iggy.context.js';

/** Why a message no handler of the group took was skipped. */
export type SkipReason = 'duplicate' | 'unmatched' | 'request' | 'redriven' | 'expired' | 'unreadable';

/**
 * What a consumer group reports as it runs, for metrics and traces (`nestjs-iggy`'s telemetry, or your
 * own). Left out, the runtime reports nothing and pays nothing for it. Every method must not throw.
 */
export interface ConsumerObserver {
  /** The group started (`lag` reads its lag per partition) or stopped. */
  started(lag: () => Promise<PartitionLag[]>): void;
  stopped(): void;
  /**
   * One try of one message: `dispatch` runs it (call it once, and return or throw as it does, at once
   * when it returned a value rather than a promise: a synchronous handler path stays synchronous). The
   * delivery's `meta` and `skipped` tell what it was once `dispatch` settled.
   */
  process(delivery: Delivery, dispatch: () => MaybePromise<DispatchResult>): MaybePromise<DispatchResult>;
  /** One handler call ended after `ms`, with the DLQ interceptor's retries; `failure` when it failed. */
  handlerCall(context: IggyContext, ms: number, failure: { error: unknown } | undefined): void;
  /** An unreadable message went to the dead-letter topic. */
  unreadable(message: ReceivedMessage, error: unknown): void;
  /** One offset commit ended after `ms`; `failure` when it failed. */
  committed(ms: number, failure: { error: unknown } | undefined): void;
  /**
   * The partitions the group assigns to this member: the first set, then each change (a rebalance).
   * Optional: without it the runtime does not read the group's membership at all.
   */
  assigned?(assignment: GroupAssignment): void;
}
