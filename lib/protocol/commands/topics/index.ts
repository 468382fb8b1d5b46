export * from './topic.layout.js';
export * from './get-topic.js';
export * from './get-topics.js';
export * from './create-topic.js';
export * from './update-topic.js';
export * from './delete-topic.js';
export * from './purge-topic.js';
