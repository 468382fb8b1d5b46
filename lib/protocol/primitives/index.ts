export * from './binary-reader.js';
export * from './binary-writer.js';
export * from './identifier.js';
export * from './consumer.js';
export * from './optional-partition-id.js';
export * from './partitioning.js';
export * from './polling-strategy.js';
export * from './user-headers.js';
