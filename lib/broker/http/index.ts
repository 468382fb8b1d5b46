export * from './broker-metrics.js';
export * from './http-server.js';
export * from './json.js';
