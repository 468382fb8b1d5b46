export * from './consumer-group.layout.js';
export * from './get-consumer-group.js';
export * from './get-consumer-groups.js';
export * from './create-consumer-group.js';
export * from './delete-consumer-group.js';
export * from './join-consumer-group.js';
export * from './leave-consumer-group.js';
