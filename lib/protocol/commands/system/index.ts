export * from './get-cluster-metadata.js';
export * from './get-snapshot.js';
export * from './get-stats.js';
export * from './ping.js';
