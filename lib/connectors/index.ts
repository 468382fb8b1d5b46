export * from './calculate-partition.js';
export * from './configured-topology.js';
export * from './connector-config.js';
export * from './connector-error.js';
export * from './embedded-connector.js';
export * from './iggy-connector.js';
export * from './message-subscriber.js';
export * from './publish-request.js';
export * from './remote-connector.js';
export { messageIdToUuid, uuidToMessageId } from '../protocol/messages/message-id.js';
export {
  Header,
  HeaderKind,
  type HeaderEntry,
  type HeaderField,
  type UserHeaders,
} from '../protocol/primitives/user-headers.js';
