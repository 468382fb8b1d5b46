export * from './codes/index.js';
export * from './protocol-error.js';
export * from './limits.js';
export * from './framing.js';
export * from './command-codec.js';
export * from './primitives/index.js';
export * from './messages/index.js';
export * from './commands/index.js';
