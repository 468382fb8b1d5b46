/**
 * The transport id of `IggyServer`: `@EventPattern('order.created', IGGY_TRANSPORT)` binds a handler to
 * Iggy only (a handler without a transport is bound to every transport of the app).
 */
export const IGGY_TRANSPORT = Symbol('IGGY_TRANSPORT');

export {
  IggyReplyHeader,
  REDRIVEN_HEADER,
  REDRIVE_GROUP_HEADER,
  REDRIVE_HANDLER_HEADER,
} from '../consumer/consumer.constants.js';

/** `status` values of `IggyServer` and `IggyClientProxy`. */
export type IggyStatus = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';
