export * from './command-handlers.js';
export * from './dispatch.js';
export * from './request-reader.js';
export * from './tcp-connection.js';
export * from './tcp-server.js';
export * from './tls-material.js';
