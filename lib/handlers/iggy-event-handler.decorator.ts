import 'reflect-metadata';
import type { StartFrom } from '../connectors/message-subscriber.js';
import type { RetryOptions } from '../consumer/retry-options.js';
import { compileEventPattern } from './event-pattern.js';
import { IGGY_EVENT_HANDLER_METADATA } from './iggy-event-handler.metadata.js';

/** Options of one `@IggyEventHandler`. */
export interface IggyEventHandlerOptions {
  /**
   * The consumer group (required). Every group gets every event of its topic; the instances of one
   * group split the topic's partitions. Handlers of one group share one subscription.
   */
  group: string;
  /** Topic to consume (default: the connector's `topicName`, the domain topic). */
  topic?: string;
  /** Partitions of this group handled in parallel (default `handlers.concurrency`; the largest of a group wins). */
  concurrency?: number;
  /**
   * Where the group's subscription starts (default `committed`: after the group's stored offset, or
   * the beginning when it has none). Any other value applies at every start of the process.
   */
  startFrom?: StartFrom;
  /** Overrides the module's `retry` options for this handler. */
  retry?: Partial<RetryOptions>;
  /** Skip an envelope id this group already handled in this process (default `handlers.idempotency`). */
  idempotent?: boolean;
}

/** What the decorator stores on the method (one entry per `@IggyEventHandler` on it). */
export interface IggyEventHandlerMetadata extends IggyEventHandlerOptions {
  /** An event type, `order.*` (one segment) or `order.#` (any rest). */
  pattern: string;
}

/**
 * Marks a provider method as the handler of events whose type matches `pattern`, for one consumer
 * group. The method is called through Nest's pipeline (guards, interceptors, pipes, filters; context
 * type `rpc`) with `(envelope: EventEnvelope, context: IggyEventContext)`; `@Payload()` and `@Ctx()`
 * work too. The message's offset is committed only once the handler succeeded (or its message was
 * dead-lettered). Stacks with `@UseInterceptors`, `@UseGuards`, and with further `@IggyEventHandler`s.
 */
export function IggyEventHandler(pattern: string, options: IggyEventHandlerOptions): MethodDecorator {
  compileEventPattern(pattern);
  if (typeof options?.group !== 'string' || options.group.length === 0) {
    throw new TypeError(`@IggyEventHandler('${pattern}'): options.group must be a non-empty string`);
  }
  if (
    options.concurrency !== undefined &&
    !(Number.isInteger(options.concurrency) && options.concurrency > 0)
  ) {
    throw new TypeError(`@IggyEventHandler('${pattern}'): options.concurrency must be a positive integer`);
  }
  const entry: IggyEventHandlerMetadata = { ...options, pattern };
  return (_target, _key, descriptor: PropertyDescriptor) => {
    const method = descriptor.value as object;
    const existing = eventHandlerMetadataOf(method);
    Reflect.defineMetadata(IGGY_EVENT_HANDLER_METADATA, [...existing, entry], method);
    return descriptor;
  };
}

/** The `@IggyEventHandler` entries of a method (empty when it has none). */
export function eventHandlerMetadataOf(method: unknown): IggyEventHandlerMetadata[] {
  if (typeof method !== 'function') return [];
  const found: unknown = Reflect.getMetadata(IGGY_EVENT_HANDLER_METADATA, method);
  return Array.isArray(found) ? (found as IggyEventHandlerMetadata[]) : [];
}
