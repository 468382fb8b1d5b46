export { IggyEventHandler, eventHandlerMetadataOf } from './iggy-event-handler.decorator.js';
export type { IggyEventHandlerMetadata, IggyEventHandlerOptions } from './iggy-event-handler.decorator.js';
export { compileEventPattern, type EventPatternMatcher } from './event-pattern.js';
export {
  IggyEventContext,
  REDRIVEN_HEADER,
  REDRIVE_GROUP_HEADER,
  REDRIVE_HANDLER_HEADER,
  type IggyEventContextInit,
  type IggyHandlerBinding,
} from './iggy-event.context.js';
export type { BoundHandler } from './bound-handler.js';
export { IGGY_DEAD_LETTER_SINK, type DeadLetterSink, type FailedMessage } from './dead-letter-sink.js';
export { IdempotencyWindow } from '../consumer/idempotency/idempotency-window.js';
export * from '../consumer/idempotency/index.js';
export {
  DEFAULT_DLQ_OPTIONS,
  DEFAULT_HANDLER_OPTIONS,
  DEFAULT_RETRY_OPTIONS,
  backoffDelayMs,
  resolveHandlerSettings,
  resolveRetryOptions,
  type HandlerPollOptions,
  type HandlerSettings,
} from './handler-settings.js';
export { dispatchMessage, type DispatchOptions, type DispatchOutcome } from './message-dispatcher.js';
export {
  GroupConsumer,
  type GroupConsumerSpec,
  type GroupLogger,
  type GroupStatus,
  type StalledPartition,
} from './group-consumer.js';
export { PartitionLanes, type LaneStatus } from './partition-lanes.js';
export { HandlerExplorer } from './handler-explorer.js';
export { ConsumerGroupManager, type GroupLag } from './consumer-group.manager.js';
export { IGGY_HANDLER_PROVIDERS } from './iggy-handlers.providers.js';
