export * from './iggy-dashboard-options.interface.js';
export * from './iggy-dashboard.constants.js';
export * from './iggy-dashboard.module.js';
export type { DashboardSnapshot } from '../dashboard-snapshot.js';
