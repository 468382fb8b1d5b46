export * from './send-messages.js';
export * from './poll-messages.js';
export * from './flush-unsaved-buffer.js';
