export * from './stream.layout.js';
export * from './get-stream.js';
export * from './get-streams.js';
export * from './create-stream.js';
export * from './update-stream.js';
export * from './delete-stream.js';
export * from './purge-stream.js';
