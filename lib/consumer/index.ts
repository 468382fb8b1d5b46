export {
  IggyContext,
  IggyEventContext,
  type IggyContextArgs,
  type IggyContextInit,
  type IggyDelivery,
  type IggyEventContextInit,
  type IggyHandlerBinding,
  type IggyRequestInfo,
} from './iggy.context.js';
export {
  IggyReplyHeader,
  REDRIVEN_HEADER,
  REDRIVE_GROUP_HEADER,
  REDRIVE_HANDLER_HEADER,
} from './consumer.constants.js';
export { compilePattern, isWildcardPattern, type PatternMatcher } from './pattern-matcher.js';
export { IGGY_DEAD_LETTER_SINK, type DeadLetterSink, type FailedMessage } from './dead-letter-sink.js';
export * from './idempotency/index.js';
export { IdempotencyWindow } from './idempotency/idempotency-window.js';
export { backoffDelayMs, defaultRetryOptions, type RetryOptions } from './retry-options.js';
export { DEFAULT_COMMIT_POLICY, type CommitPolicy } from './offset-commits.js';
export type { GroupStatus } from './consumer-runtime.js';
export type { DispatchCounts } from './dispatcher.js';
export type { LaneStatus } from './partition-lanes.js';
export type { StalledPartition } from './partition-stalls.js';
