export * from './client.layout.js';
export * from './get-client.js';
export * from './get-clients.js';
export * from './get-me.js';
