export * from './partitions.layout.js';
export * from './create-partitions.js';
export * from './delete-partitions.js';
