export * from './access-token.layout.js';
export * from './create-access-token.js';
export * from './delete-access-token.js';
export * from './get-access-tokens.js';
