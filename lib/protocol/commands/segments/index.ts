export * from './delete-segments.js';
