/**
 * The transport id of `IggyServer`: `@EventPattern('order.created', IGGY_TRANSPORT)` binds a handler to
 * Iggy only (a handler without a transport is bound to every transport of the app).
 */
export const IGGY_TRANSPORT = Symbol('IGGY_TRANSPORT');

/** `send`'s defaults (the module's `requestReply` block, `IggyClientProxy`'s options). */
export const REQUEST_REPLY_DEFAULTS = {
  /** The topic replies are published to. */
  replyTopic: 'replies',
  /** How long `send` waits for a reply. */
  timeoutMs: 5_000,
  /** Partitions of the reply topic when a client creates it. */
  partitions: 16,
} as const;

/** `status` values of `IggyServer` and `IggyClientProxy`. */
export type IggyStatus = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';
