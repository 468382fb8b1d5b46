export * from './identity.layout.js';
export * from './login-user.js';
export * from './login-with-access-token.js';
export * from './logout-user.js';
