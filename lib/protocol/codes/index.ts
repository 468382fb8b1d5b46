export * from './command-codes.js';
export * from './error-codes.js';
