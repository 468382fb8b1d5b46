export * from './client-core.js';
export * from './connection-string.js';
export * from './errors.js';
export * from './iggy-client.js';
export * from './options.js';
export * from './poller.js';
export * from './producer.js';
export * from './client-factory.js';
export { IggyHttpClient, httpAddress } from './http/iggy-http-client.js';
