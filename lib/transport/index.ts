export { IggyServer } from './iggy.server.js';
export type { IggyServerEvents } from './interfaces/iggy-server-events.interface.js';
export { IggyClientProxy, type IggyClientProxyEvents } from './iggy.client-proxy.js';
export { IggyRecord, type IggyRecordOptions } from './iggy-record.js';
export { IGGY_TRANSPORT, type IggyStatus } from './iggy-transport.constants.js';
export { IggyMissingTenantError, IggyRequestTimeoutError, IggyTransportError } from './transport-errors.js';
export { connectorForMode, isConnector } from './connector-factory.js';
export type { IggyServerOptions } from './interfaces/iggy-server-options.interface.js';
export type { IggyClientProxyOptions } from './interfaces/iggy-client-proxy-options.interface.js';
