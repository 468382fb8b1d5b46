export * from './dashboard-feed.js';
export * from './dashboard-http.js';
export * from './dashboard-model.js';
export * from './dashboard-reading.js';
export * from './dashboard-snapshot.js';
export * from './rate-meter.js';
