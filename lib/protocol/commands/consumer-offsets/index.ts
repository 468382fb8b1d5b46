export * from './consumer-offset.layout.js';
export * from './get-offset.js';
export * from './store-offset.js';
export * from './delete-consumer-offset.js';
