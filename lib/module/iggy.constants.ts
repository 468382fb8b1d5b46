export { IGGY_CONNECTOR, IGGY_OPTIONS } from '../consumer/iggy.tokens.js';
export { IGGY_EVENT_HANDLER_METADATA } from '../handlers/iggy-event-handler.metadata.js';
/** The `IggyClientProxy` (also injectable by class). */
export const IGGY_CLIENT = 'IGGY_CLIENT';
