export { IggyEventHandler, eventHandlerMetadataOf } from './iggy-event-handler.decorator.js';
export type { IggyEventHandlerMetadata, IggyEventHandlerOptions } from './iggy-event-handler.decorator.js';
export { compileEventPattern, type EventPatternMatcher } from './event-pattern.js';
export type { BoundHandler } from './bound-handler.js';
export {
  DEFAULT_DLQ_OPTIONS,
  DEFAULT_HANDLER_OPTIONS,
  resolveHandlerSettings,
  resolveRetryOptions,
  type HandlerPollOptions,
  type HandlerSettings,
} from './handler-settings.js';
export { HandlerExplorer } from './handler-explorer.js';
export { ConsumerGroupManager, type GroupLag } from './consumer-group.manager.js';
export { IGGY_HANDLER_PROVIDERS } from './iggy-handlers.providers.js';
